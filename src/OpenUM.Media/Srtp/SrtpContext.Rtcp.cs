using System.Buffers.Binary;

namespace OpenUM.Media.Srtp;

public sealed partial class SrtpContext
{
    private const uint EFlag = 0x8000_0000;
    private const uint MaxSrtcpIndex = 0x7FFF_FFFF;

    /// <summary>
    /// Protects the (compound) RTCP packet in <paramref name="buffer"/>[..<paramref name="length"/>] in place: encrypts
    /// after the first 8 octets and appends E|index, [MKI] and the tag (RFC 3711 §3.4; RFC 7714 §9 for GCM).
    /// </summary>
    public SrtpStatus ProtectRtcp(Span<byte> buffer, int length, out int protectedLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        protectedLength = 0;
        if (length < 8 || length > buffer.Length || buffer.Length - length < RtcpOverhead || (buffer[0] >> 6) != 2)
            return SrtpStatus.Malformed;
        if (Exhausted)
            return SrtpStatus.KeyExhausted;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        var state = StateFor(ssrc, create: true);
        if (state is null)
            return SrtpStatus.TooManySsrcs;
        // The 31-bit index must never repeat under one key (RFC 3711 §9.2), so running out means re-key.
        if (state.SendRtcpIndex >= MaxSrtcpIndex)
            return SrtpStatus.KeyExhausted;
        uint index = ++state.SendRtcpIndex;

        int mki = _mki.Length;
        var body = buffer[8..length];
        if (_info.IsAead)
        {
            int tag = _info.RtcpTagLength;
            Span<byte> nonce = stackalloc byte[12];
            GcmNonce(Rtcp.Salt, ssrc, index, nonce);
            // AAD = first 8 octets || E|index (RFC 7714 §9.1); the trailer word is written first and read in place.
            var trailer = buffer.Slice(length + tag, 4);
            BinaryPrimitives.WriteUInt32BigEndian(trailer, EFlag | index);
            Rtcp.Aead!.Seal(nonce, body, buffer.Slice(length, tag), buffer[..8], trailer);
            _mki.CopyTo(buffer[(length + tag + 4)..]);
        }
        else
        {
            Span<byte> iv = stackalloc byte[16];
            AesCounterMode.BuildIv(Rtcp.Salt, ssrc, index, iv);
            Rtcp.Cm!.Apply(iv, body);
            BinaryPrimitives.WriteUInt32BigEndian(buffer[length..], EFlag | index);
            _mki.CopyTo(buffer[(length + 4)..]);
            Span<byte> mac = stackalloc byte[SrtpAuthenticator.MacLength];
            Rtcp.Auth!.Compute(buffer[..(length + 4)], default, mac);
            mac[.._info.RtcpTagLength].CopyTo(buffer[(length + 4 + mki)..]);
        }
        _used++;
        protectedLength = length + RtcpOverhead;
        return SrtpStatus.Ok;
    }

    /// <summary>
    /// Verifies and decrypts an SRTCP packet in place; on <see cref="SrtpStatus.Ok"/> the RTCP packet is
    /// packet[..<paramref name="plainLength"/>]. A packet with E=0 (authenticated, not encrypted, RFC 3711 §3.4)
    /// is accepted once its tag verifies: the tag covers the E bit, so only the key holder can send one.
    /// </summary>
    public SrtpStatus UnprotectRtcp(Span<byte> packet, out int plainLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        plainLength = 0;
        int tag = _info.RtcpTagLength, mki = _mki.Length;
        if (packet.Length < 8 + 4 + mki + tag || (packet[0] >> 6) != 2)
            return SrtpStatus.Malformed;
        // AES-CM: rtcp | E|index | MKI | tag; GCM: rtcp' | tag | E|index | MKI (RFC 7714 §9).
        int trailerAt = _info.IsAead ? packet.Length - mki - 4 : packet.Length - tag - mki - 4;
        int rtcpEnd = _info.IsAead ? trailerAt - tag : trailerAt;
        if (rtcpEnd < 8)
            return SrtpStatus.Malformed;
        if (!packet.Slice(trailerAt + 4, mki).SequenceEqual(_mki))
            return SrtpStatus.UnknownMki;
        if (Exhausted)
            return SrtpStatus.KeyExhausted;

        uint word = BinaryPrimitives.ReadUInt32BigEndian(packet[trailerAt..]);
        bool encrypted = (word & EFlag) != 0;
        uint index = word & MaxSrtcpIndex;
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        var state = StateFor(ssrc, create: false);
        if (state is null && _streams.IsFull)
            return SrtpStatus.TooManySsrcs;
        var verdict = state?.RtcpReplay?.Check(index) ?? SrtpStatus.Ok;
        if (verdict != SrtpStatus.Ok)
            return verdict;

        if (_info.IsAead)
        {
            if (!GcmOpenRtcp(packet, ssrc, index, encrypted, trailerAt, rtcpEnd))
                return SrtpStatus.AuthenticationFailed;
        }
        else
        {
            Span<byte> mac = stackalloc byte[SrtpAuthenticator.MacLength];
            Rtcp.Auth!.Compute(packet[..(trailerAt + 4)], default, mac);
            if (!TagEquals(mac, packet[^tag..]))
                return SrtpStatus.AuthenticationFailed;
            if (encrypted)
            {
                Span<byte> iv = stackalloc byte[16];
                AesCounterMode.BuildIv(Rtcp.Salt, ssrc, index, iv);
                Rtcp.Cm!.Apply(iv, packet[8..rtcpEnd]);
            }
        }

        state ??= _streams.Add(ssrc)!;
        (state.RtcpReplay ??= new SrtpReplayWindow(_window)).Commit(index);
        _used++;
        plainLength = rtcpEnd;
        return SrtpStatus.Ok;
    }

    private bool GcmOpenRtcp(Span<byte> packet, uint ssrc, uint index, bool encrypted, int trailerAt, int rtcpEnd)
    {
        Span<byte> nonce = stackalloc byte[12];
        GcmNonce(Rtcp.Salt, ssrc, index, nonce);
        var tag = packet[rtcpEnd..trailerAt];
        var word = packet.Slice(trailerAt, 4);
        // E=1: AAD = first 8 octets || E|index (RFC 7714 §9.3). E=0: the whole RTCP packet and E|index are AAD and
        // the plaintext is empty (RFC 7714 §9.2).
        return encrypted
            ? Rtcp.Aead!.Open(nonce, packet[8..rtcpEnd], tag, packet[..8], word)
            : Rtcp.Aead!.Open(nonce, default, tag, packet[..rtcpEnd], word);
    }
}
