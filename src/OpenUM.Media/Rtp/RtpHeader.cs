using System.Buffers.Binary;

namespace OpenUM.Media.Rtp;

/// <summary>An RTP fixed header (RFC 3550 §5.1) parsed from or written to a span; CSRCs and the extension are skipped, not copied.</summary>
public readonly record struct RtpHeader
{
    /// <summary>Size of the fixed header without CSRCs.</summary>
    public const int FixedSize = 12;

    /// <summary>RTP version (always 2 for packets we accept).</summary>
    public int Version { get; init; }

    /// <summary>P bit: the payload ends with padding whose length is in the last byte.</summary>
    public bool Padding { get; init; }

    /// <summary>X bit: a header extension follows the CSRC list.</summary>
    public bool Extension { get; init; }

    /// <summary>Number of CSRC identifiers (0-15).</summary>
    public int CsrcCount { get; init; }

    /// <summary>M bit (start of a talkspurt for audio, start of an event for RFC 4733).</summary>
    public bool Marker { get; init; }

    /// <summary>Payload type (0-127).</summary>
    public int PayloadType { get; init; }

    /// <summary>Sequence number.</summary>
    public ushort SequenceNumber { get; init; }

    /// <summary>RTP timestamp in clock-rate units.</summary>
    public uint Timestamp { get; init; }

    /// <summary>Synchronisation source.</summary>
    public uint Ssrc { get; init; }

    /// <summary>Bytes of header (fixed, CSRCs, extension) before the payload; set by <see cref="TryParse"/>.</summary>
    public int HeaderLength { get; init; }

    /// <summary>Payload bytes after removing padding; set by <see cref="TryParse"/>.</summary>
    public int PayloadLength { get; init; }

    /// <summary>Parses a packet; false for anything that is not a well-formed RTP version 2 packet.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out RtpHeader header)
    {
        header = default;
        if (packet.Length < FixedSize)
            return false;
        byte b0 = packet[0], b1 = packet[1];
        if (b0 >> 6 != 2)
            return false;
        int cc = b0 & 0x0F;
        int offset = FixedSize + 4 * cc;
        if (packet.Length < offset)
            return false;
        bool ext = (b0 & 0x10) != 0;
        if (ext)
        {
            // RFC 3550 §5.3.1: 16-bit profile id, 16-bit length in 32-bit words, then the words.
            if (packet.Length < offset + 4)
                return false;
            int words = BinaryPrimitives.ReadUInt16BigEndian(packet.Slice(offset + 2, 2));
            offset += 4 + 4 * words;
            if (packet.Length < offset)
                return false;
        }
        int payloadLength = packet.Length - offset;
        bool padding = (b0 & 0x20) != 0;
        if (padding)
        {
            int pad = packet[^1];
            if (pad == 0 || pad > payloadLength)
                return false;
            payloadLength -= pad;
        }
        int pt = b1 & 0x7F;
        // RFC 5761 §4: 72-76 collide with RTCP packet types 200-204; such a "payload type" is an RTCP packet.
        if (pt is >= 72 and <= 76)
            return false;
        header = new RtpHeader
        {
            Version = 2,
            Padding = padding,
            Extension = ext,
            CsrcCount = cc,
            Marker = (b1 & 0x80) != 0,
            PayloadType = pt,
            SequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]),
            Timestamp = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]),
            Ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]),
            HeaderLength = offset,
            PayloadLength = payloadLength,
        };
        return true;
    }

    /// <summary>Writes a 12-byte header (version 2, no padding, extension or CSRCs) and returns its length.</summary>
    public static int Write(Span<byte> destination, int payloadType, bool marker, ushort sequenceNumber, uint timestamp, uint ssrc)
    {
        if (destination.Length < FixedSize)
            throw new ArgumentException("Destination too small for an RTP header.", nameof(destination));
        ArgumentOutOfRangeException.ThrowIfNegative(payloadType);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadType, 127);
        destination[0] = 0x80;
        destination[1] = (byte)((marker ? 0x80 : 0) | payloadType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ssrc);
        return FixedSize;
    }
}

/// <summary>An RFC 4733 §2.3 telephone-event payload block.</summary>
public readonly record struct TelephoneEvent(byte Event, bool End, byte Volume, ushort Duration)
{
    /// <summary>Size of one event block.</summary>
    public const int Size = 4;

    /// <summary>Parses the first block; false if the payload is shorter than 4 bytes or not a multiple of 4.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out TelephoneEvent ev)
    {
        ev = default;
        if (payload.Length < Size || payload.Length % Size != 0)
            return false;
        // The R bit (0x40) is reserved and ignored by receivers (RFC 4733 §2.3).
        ev = new TelephoneEvent(payload[0], (payload[1] & 0x80) != 0, (byte)(payload[1] & 0x3F),
            BinaryPrimitives.ReadUInt16BigEndian(payload[2..]));
        return true;
    }

    /// <summary>Writes the 4-byte block.</summary>
    public void Write(Span<byte> destination)
    {
        destination[0] = Event;
        destination[1] = (byte)((End ? 0x80 : 0) | (Volume & 0x3F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Duration);
    }

    /// <summary>The DTMF character for events 0-15 (0-9, *, #, A-D), else null.</summary>
    public static char? ToDigit(int ev) => ev switch
    {
        >= 0 and <= 9 => (char)('0' + ev),
        10 => '*',
        11 => '#',
        >= 12 and <= 15 => (char)('A' + ev - 12),
        _ => null,
    };

    /// <summary>The event code for a DTMF character, or -1.</summary>
    public static int FromDigit(char digit) => char.ToUpperInvariant(digit) switch
    {
        >= '0' and <= '9' => digit - '0',
        '*' => 10,
        '#' => 11,
        >= 'A' and <= 'D' => char.ToUpperInvariant(digit) - 'A' + 12,
        _ => -1,
    };
}
