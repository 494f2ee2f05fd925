using OpenUM.Media.Srtp;

namespace OpenUM.Media.Tests.Srtp;

// Known-answer values for SRTP/SRTCP, each with the public source it was taken from. All hex is lowercase.
// Sources: RFC 3711 Appendix B.2/B.3; RFC 6188 §7 (values as carried in cisco/libsrtp crypto/cipher/cipher_test_cases.c
// and pion/srtp); cisco/libsrtp test/srtp_driver.c @ 9073dfe9 (srtp_validate, srtp_validate_aes_256); pion/srtp
// srtp_cipher_test.go @ df5f1a88; jimm98y/SharpSRTP @ f072f515 (TestRFC3711.cs, TestProtectUnprotect.cs, TestRFC7714.cs);
// RFC 7714 §16-17. Every value was cross-checked against a second implementation (AES via OpenSSL, HMAC via hashlib).
internal static class SrtpVectors
{
    internal sealed record KeystreamBlock(int BlockIndex, string Counter, string Keystream);
    internal sealed record KeystreamVector(string Id, string Source, string SessionKey, string SessionSalt, KeystreamBlock[] Blocks)
    {
        public override string ToString() => Id;
    }
    internal sealed record KdfOutput(byte Label, string AesInput, string Value);
    internal sealed record KdfVector(string Id, string Source, string MasterKey, string MasterSalt, KdfOutput[] Outputs)
    {
        public override string ToString() => Id;
    }
    internal sealed record SessionKeys(string Key, string AuthKey, string Salt);
    internal sealed record SrtpPacketVector(string Id, string Source, SrtpSuite Suite, string MasterKey, string MasterSalt, uint Ssrc, ushort Seq, uint Roc, SessionKeys Session, string Plain, string Protected)
    {
        public override string ToString() => Id;
    }
    internal sealed record SrtcpPacketVector(string Id, string Source, SrtpSuite Suite, string MasterKey, string MasterSalt, uint Ssrc, uint Index, SessionKeys Session, string Plain, string Protected)
    {
        public override string ToString() => Id;
    }
    internal sealed record GcmVector(string Id, string Source, SrtpSuite Suite, string SessionKey, string SessionSalt, uint Ssrc, ulong IndexOrSrtcpIndex, bool Rtcp, string Iv, string Aad, string Plain, string Protected)
    {
        public override string ToString() => Id;
    }

    public static readonly KeystreamVector[] Keystreams =
    [
        new("rfc3711-B.2-aes128cm", "RFC 3711 Appendix B (text verified from cisco/libsrtp doc/rfc3711.txt @ 4257975755ad95ecf5a587946aa4f1b56d9ee75b) Appendix B.2",
            "2b7e151628aed2a6abf7158809cf4f3c", "f0f1f2f3f4f5f6f7f8f9fafbfcfd",
            [
                new(0, "f0f1f2f3f4f5f6f7f8f9fafbfcfd0000", "e03ead0935c95e80e166b16dd92b4eb4"),
                new(1, "f0f1f2f3f4f5f6f7f8f9fafbfcfd0001", "d23513162b02d0f72a43a2fe4a5f97ab"),
                new(2, "f0f1f2f3f4f5f6f7f8f9fafbfcfd0002", "41e95b3bb0a2e8dd477901e4fca894c0"),
                new(65279, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", "ec8cdf7398607cb0f2d21675ea9ea1e4"),
                new(65280, "f0f1f2f3f4f5f6f7f8f9fafbfcfdff00", "362b7c3c6773516318a077d7fc5073ae"),
                new(65281, "f0f1f2f3f4f5f6f7f8f9fafbfcfdff01", "6a2cc3787889374fbeb4c81b17ba6c44"),
            ]),
        new("rfc6188-7.1-aes256cm", "RFC 6188 Section 7 (values as carried in cisco/libsrtp crypto/cipher/cipher_test_cases.c and pion/srtp key_derivation_test.go / srtp_cipher_aes_cm_hmac_sha1_rfc_test.go) s7.1",
            "57f82fe3613fd170a85ec93c40b1f0922ec4cb0dc025b58272147cc438944a98", "f0f1f2f3f4f5f6f7f8f9fafbfcfd",
            [
                new(0, "f0f1f2f3f4f5f6f7f8f9fafbfcfd0000", "92bdd28a93c3f52511c677d08b5515a4"),
                new(1, "f0f1f2f3f4f5f6f7f8f9fafbfcfd0001", "9da71b2378a854f67050756ded165bac"),
                new(2, "f0f1f2f3f4f5f6f7f8f9fafbfcfd0002", "63c4868b7096d88421b563b8c94c9a31"),
                new(65279, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", "cea518c90fd91ced9cbb18c078a54711"),
                new(65280, "f0f1f2f3f4f5f6f7f8f9fafbfcfdff00", "3dbc4814f4da5f00a08772b63c6a046d"),
                new(65281, "f0f1f2f3f4f5f6f7f8f9fafbfcfdff01", "6eb246913062a16891433e97dd01a57f"),
            ]),
        new("rfc6188-7.3-aes192cm", "RFC 6188 Section 7 (values as carried in cisco/libsrtp crypto/cipher/cipher_test_cases.c and pion/srtp key_derivation_test.go / srtp_cipher_aes_cm_hmac_sha1_rfc_test.go) s7.3 (AES-192, for completeness)",
            "eab234764e517b2d3d160d587d8c86219740f65f99b6bcf7", "f0f1f2f3f4f5f6f7f8f9fafbfcfd",
            [
                new(0, "f0f1f2f3f4f5f6f7f8f9fafbfcfd0000", "35096cba4610028dc1b57503804ce37c"),
                new(1, "f0f1f2f3f4f5f6f7f8f9fafbfcfd0001", "5de986291dcce161d5165ec4568f5c9a"),
                new(2, "f0f1f2f3f4f5f6f7f8f9fafbfcfd0002", "474a40c77894bc17180202272a4c264d"),
            ]),
    ];

    public static readonly KdfVector[] KeyDerivations =
    [
        new("rfc3711-B.3", "RFC 3711 Appendix B (text verified from cisco/libsrtp doc/rfc3711.txt @ 4257975755ad95ecf5a587946aa4f1b56d9ee75b) Appendix B.3",
            "e1f97a0d3e018be0d64fa32c06de4139", "0ec675ad498afeebb6960b3aabe6",
            [
                new(0, "0ec675ad498afeebb6960b3aabe60000",
                    "c61e7a93744f39ee10734afe3ff7a087"), // cipher_key
                new(2, "0ec675ad498afee9b6960b3aabe60000",
                    "30cbbc08863d8c85d49db34a9ae1"), // cipher_salt
                new(1, "0ec675ad498afeeab6960b3aabe60000",
                    "cebe321f6ff7716b6fd4ab49af256a156d38baa48f0a0acf3c34e2359e6cdbcee049646c43d9327ad175578ef7227098"
                    + "6371c10c9a369ac2f94a8c5fbcdddc256d6e919a48b610ef17c2041e474035766b68642c59bbfc2f34db60dbdfb2"), // auth_key_94_octets
            ]),
        new("rfc6188-7.2-aes256-kdf", "RFC 6188 Section 7 (values as carried in cisco/libsrtp crypto/cipher/cipher_test_cases.c and pion/srtp key_derivation_test.go / srtp_cipher_aes_cm_hmac_sha1_rfc_test.go) s7.2 (AES-256 PRF)",
            "f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6", "3b04803de51ee7c96423ab5b78d2",
            [
                new(0, "3b04803de51ee7c96423ab5b78d20000",
                    "5ba1064e30ec51613cad926c5a28ef731ec7fb397f70a960653caf06554cd8c4"), // cipher_key
                new(2, "3b04803de51ee7cb6423ab5b78d20000",
                    "fa31791685ca444a9e07c6c64e93"), // cipher_salt
                new(1, "3b04803de51ee7c86423ab5b78d20000",
                    "fd9c32d39ed5fbb5a9dc96b30818454d1313dc05"), // auth_key
            ]),
        new("sharpsrtp-rtp-72db0646", "jimm98y/SharpSRTP src/SharpSRTP.Tests/TestRFC3711.cs @ f072f5156eaacc616f81c78c05d78ada0e82f2b3",
            "72db0646db1e98b02a0056ef700c6cb2", "45111565691aa9d235afee475b12",
            [
                new(0, "45111565691aa9d235afee475b120000",
                    "57dca73c834ac313d7fdbe58f4df5d93"), // cipher_key
                new(1, "45111565691aa9d335afee475b120000",
                    "a0482b8914db8219f0ec4e54c2f32c4f854eeacf"), // auth_key
                new(2, "45111565691aa9d035afee475b120000",
                    "8666bc4b1ec16deb3e28fed64da3"), // cipher_salt
            ]),
        new("sharpsrtp-rtp-bf75d356", "jimm98y/SharpSRTP src/SharpSRTP.Tests/TestRFC3711.cs @ f072f5156eaacc616f81c78c05d78ada0e82f2b3",
            "bf75d35600e7ebf8e32abbc946095224", "c573d00b2acbfd25292b1a5ce3fb",
            [
                new(0, "c573d00b2acbfd25292b1a5ce3fb0000",
                    "530e566d05b76f7f14b557a27651a47a"), // cipher_key
                new(1, "c573d00b2acbfd24292b1a5ce3fb0000",
                    "baac16ae6c3215c44089029e229e3507c25377c9"), // auth_key
                new(2, "c573d00b2acbfd27292b1a5ce3fb0000",
                    "97090496db451c9464dce1d0ce03"), // cipher_salt
            ]),
        new("sharpsrtp-rtp-e2d05f16", "jimm98y/SharpSRTP src/SharpSRTP.Tests/TestRFC3711.cs @ f072f5156eaacc616f81c78c05d78ada0e82f2b3",
            "e2d05f16f1128c2dbe5aa1138f312670", "1938ad696ebe161712592d9ec63a",
            [
                new(0, "1938ad696ebe161712592d9ec63a0000",
                    "2d4f0386508113f7cf8d2267fe765d5c"), // cipher_key
                new(1, "1938ad696ebe161612592d9ec63a0000",
                    "19b01657c4d9e88267f251f1939ed4bbb4f2ee8c"), // auth_key
                new(2, "1938ad696ebe161512592d9ec63a0000",
                    "9f36b51b79f849e18c3abb3cae82"), // cipher_salt
            ]),
        new("sharpsrtp-rtp-503073e9", "jimm98y/SharpSRTP src/SharpSRTP.Tests/TestRFC3711.cs @ f072f5156eaacc616f81c78c05d78ada0e82f2b3",
            "503073e919570c4be07872a22f6f682e", "f635137879c3dbf0d3b422aee13b",
            [
                new(0, "f635137879c3dbf0d3b422aee13b0000",
                    "45bd0c56f87f8013721257c9322c1fbf"), // cipher_key
                new(1, "f635137879c3dbf1d3b422aee13b0000",
                    "fc958d05c608be655f16c1f2b423223de9a9cdc2"), // auth_key
                new(2, "f635137879c3dbf2d3b422aee13b0000",
                    "c5029308e55be19e3911ce68a1af"), // cipher_salt
            ]),
        new("sharpsrtp-rtcp-7c70686d", "jimm98y/SharpSRTP src/SharpSRTP.Tests/TestRFC3711.cs @ f072f5156eaacc616f81c78c05d78ada0e82f2b3",
            "7c70686d319cdb521a6b71d883f9ce08", "68d48dc36f7f29c860eae2e3be5b",
            [
                new(3, "68d48dc36f7f29cb60eae2e3be5b0000",
                    "36db45fe23d42378ffc1df8f8241f26b"), // cipher_key
                new(4, "68d48dc36f7f29cc60eae2e3be5b0000",
                    "a5a171c0a334826513056abe124e22417fa21a86"), // auth_key
                new(5, "68d48dc36f7f29cd60eae2e3be5b0000",
                    "fad326f5f9a17147157f82602566"), // cipher_salt
            ]),
    ];

    public static readonly SrtpPacketVector[] SrtpPackets =
    [
        new("libsrtp-validate-aes128cm-sha1-80", "cisco/libsrtp test/srtp_driver.c @ 9073dfe9eea29ebd75ea747278e997924f3988bd srtp_validate()",
            SrtpSuite.AesCm128HmacSha1_80, "e1f97a0d3e018be0d64fa32c06de4139", "0ec675ad498afeebb6960b3aabe6", 3405691582u, 4660, 0,
            new("c61e7a93744f39ee10734afe3ff7a087", "cebe321f6ff7716b6fd4ab49af256a156d38baa4", "30cbbc08863d8c85d49db34a9ae1"),
            "800f1234decafbadcafebabeabababababababababababababababab",
            "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb"),
        new("collector-aes128cm-sha1-32-from-libsrtp-key", "derived: libsrtp srtp_validate() inputs with the _32 profile (tag = first 4 bytes of the _80 tag)",
            SrtpSuite.AesCm128HmacSha1_32, "e1f97a0d3e018be0d64fa32c06de4139", "0ec675ad498afeebb6960b3aabe6", 3405691582u, 4660, 0,
            new("c61e7a93744f39ee10734afe3ff7a087", "cebe321f6ff7716b6fd4ab49af256a156d38baa4", "30cbbc08863d8c85d49db34a9ae1"),
            "800f1234decafbadcafebabeabababababababababababababababab",
            "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc"),
        new("pion-aes128cm-sha1-80", "pion/srtp srtp_cipher_test.go @ df5f1a88cf6eeffbbed4c1c58ec6579403b3efe9 createTestCiphers()",
            SrtpSuite.AesCm128HmacSha1_80, "000102030405060708090a0b0c0d0e0f", "a0a1a2a3a4a5a6a7a8a9aaabacad", 3405691582u, 4660, 0,
            new("544359b25c407d1f934eaf8a86af6541", "f42ec792cc524421419023d8812eb2b876787c0f", "dd69d3dfee28bfa0fc55f54b20f6"),
            "800f1234decafbadcafebabeabababababababababababababababab",
            "800f1234decafbadcafebabee2d8df8f7a75d688c3502eeec2a98066cd7c0d09ca4432a56e3d"),
        new("pion-aes128cm-sha1-32", "pion/srtp srtp_cipher_test.go @ df5f1a88cf6eeffbbed4c1c58ec6579403b3efe9 createTestCiphers()",
            SrtpSuite.AesCm128HmacSha1_32, "000102030405060708090a0b0c0d0e0f", "a0a1a2a3a4a5a6a7a8a9aaabacad", 3405691582u, 4660, 0,
            new("544359b25c407d1f934eaf8a86af6541", "f42ec792cc524421419023d8812eb2b876787c0f", "dd69d3dfee28bfa0fc55f54b20f6"),
            "800f1234decafbadcafebabeabababababababababababababababab",
            "800f1234decafbadcafebabee2d8df8f7a75d688c3502eeec2a98066cd7c0d09"),
        new("libsrtp-validate-aes256cm-sha1-80", "cisco/libsrtp test/srtp_driver.c @ 9073dfe9eea29ebd75ea747278e997924f3988bd srtp_validate_aes_256()",
            SrtpSuite.Aes256CmHmacSha1_80, "f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6", "3b04803de51ee7c96423ab5b78d2", 3405691582u, 4660, 0,
            new("5ba1064e30ec51613cad926c5a28ef731ec7fb397f70a960653caf06554cd8c4", "fd9c32d39ed5fbb5a9dc96b30818454d1313dc05", "fa31791685ca444a9e07c6c64e93"),
            "800f1234decafbadcafebabeabababababababababababababababab",
            "800f1234decafbadcafebabef1d9de17ff251ff1aa007774b0b4b40da08d9d9a5b3a55d8873b"),
        new("sharpsrtp-sdes-inline-aes128cm-sha1-80", "jimm98y/SharpSRTP src/SharpSRTP.Tests/TestProtectUnprotect.cs @ f072f5156eaacc616f81c78c05d78ada0e82f2b3",
            SrtpSuite.AesCm128HmacSha1_80, "9fbcfd1a09a727805cda10b4a6b11ff0", "a1422aff04c86fb85ab50e83ba22", 1108911779u, 1, 0,
            new("6240eedb1b119b0d58c4bd15e2437d26", "755e0abc5dfa207c19a77f94d8bbaf7fd334feec", "80d43bfde456b10cc6c05cef200e"),
            "80e1000103cb6bc84218a6a3001006c801123318f6882d06086141a9c44dfbfb7e9f1cf997eb257b77c732bcf779ae75"
            + "0b6493aff001815dcfc814a4fb96089153b0becc4e091f2632584ee88fc01701a0dc5111f3d7b201b0a5496972275d00"
            + "e503d921370ecbdebc5ac4e54572e59ca65c29ce246b438659df04633d5d0452da1b9ce729670a616b4f5050df2c7de8"
            + "97ca16f5762d6df93da0134d6c3d2fedb178be2fbbfa3c702673c231d5af4f1c9b2fa791a19ef3a23aee2325dc633f19"
            + "ebde33f0eeec8351cfa62bbbf9339d6b7e322ba3bb5e1d31a3956475cf450984d4a274d2583d1b80e0",
            "80e1000103cb6bc84218a6a3cf77c0bc864411afc82ac978b1087b699bf51892b46152bcf95963dbc69f7efbb776c79a"
            + "0daa3e2e7ae8a3ceda005fb29b068d099d0b0a103ae0bc9ae62b55c0c8dca25583478377f2bb310f0371a2ada32a119e"
            + "96a84c796b9376a093409e21a7b16bafedbc4fffadabe5f770e895ec36b8de959819aac706aba8788ba9da2fd3f58bd4"
            + "3796fd51124e92117d98575cc82d302741a8be3c9234bafeb42d2c52ebd9e6edfcb1e7e01fb40131758c9d1181525b1c"
            + "02e35cc34b46e0aaf1df4dc931036aaf4f9044b47058d22008395596e8000b4a7def6aa97a989e76f0c88ba939313459"
            + "373a6f"),
        new("sharpsrtp-rtp-seq60287", "jimm98y/SharpSRTP src/SharpSRTP.Tests/TestRFC3711.cs @ f072f5156eaacc616f81c78c05d78ada0e82f2b3 Test_Session_Keys_AESCM_RTP",
            SrtpSuite.AesCm128HmacSha1_80, "503073e919570c4be07872a22f6f682e", "f635137879c3dbf0d3b422aee13b", 1841922109u, 60287, 0,
            new("45bd0c56f87f8013721257c9322c1fbf", "fc958d05c608be655f16c1f2b423223de9a9cdc2", "c5029308e55be19e3911ce68a1af"),
            "8061eb7f8b1f6f186dc9803d67640028acb402802dc8",
            "8061eb7f8b1f6f186dc9803df7be778106050cb06813102c2ff82d9f51f2c52c"),
        new("sharpsrtp-rtp-seq60288", "jimm98y/SharpSRTP src/SharpSRTP.Tests/TestRFC3711.cs @ f072f5156eaacc616f81c78c05d78ada0e82f2b3 Test_Session_Keys_AESCM_RTP",
            SrtpSuite.AesCm128HmacSha1_80, "503073e919570c4be07872a22f6f682e", "f635137879c3dbf0d3b422aee13b", 1841922109u, 60288, 0,
            new("45bd0c56f87f8013721257c9322c1fbf", "fc958d05c608be655f16c1f2b423223de9a9cdc2", "c5029308e55be19e3911ce68a1af"),
            "8061eb808b1f6f186dc9803d68ee019e2c00",
            "8061eb808b1f6f186dc9803dbdf1992f8e54519542e68c831e6b8649"),
        new("sharpsrtp-rtp-seq60289", "jimm98y/SharpSRTP src/SharpSRTP.Tests/TestRFC3711.cs @ f072f5156eaacc616f81c78c05d78ada0e82f2b3 Test_Session_Keys_AESCM_RTP",
            SrtpSuite.AesCm128HmacSha1_80, "503073e919570c4be07872a22f6f682e", "f635137879c3dbf0d3b422aee13b", 1841922109u, 60289, 0,
            new("45bd0c56f87f8013721257c9322c1fbf", "fc958d05c608be655f16c1f2b423223de9a9cdc2", "c5029308e55be19e3911ce68a1af"),
            "8061eb818b1f6f186dc9803d67640028acb402802dc8",
            "8061eb818b1f6f186dc9803dcf37424ff6966861a616f9fe3bea89d3c51bc1f6"),
        new("sharpsrtp-rtp-seq60290", "jimm98y/SharpSRTP src/SharpSRTP.Tests/TestRFC3711.cs @ f072f5156eaacc616f81c78c05d78ada0e82f2b3 Test_Session_Keys_AESCM_RTP",
            SrtpSuite.AesCm128HmacSha1_80, "503073e919570c4be07872a22f6f682e", "f635137879c3dbf0d3b422aee13b", 1841922109u, 60290, 0,
            new("45bd0c56f87f8013721257c9322c1fbf", "fc958d05c608be655f16c1f2b423223de9a9cdc2", "c5029308e55be19e3911ce68a1af"),
            "8061eb828b1f6f186dc9803d68ee019e2c00",
            "8061eb828b1f6f186dc9803daa953548e0aa7f28a722ea4591f8fdf4"),
        new("sharpsrtp-rtp-seq60291", "jimm98y/SharpSRTP src/SharpSRTP.Tests/TestRFC3711.cs @ f072f5156eaacc616f81c78c05d78ada0e82f2b3 Test_Session_Keys_AESCM_RTP",
            SrtpSuite.AesCm128HmacSha1_80, "503073e919570c4be07872a22f6f682e", "f635137879c3dbf0d3b422aee13b", 1841922109u, 60291, 0,
            new("45bd0c56f87f8013721257c9322c1fbf", "fc958d05c608be655f16c1f2b423223de9a9cdc2", "c5029308e55be19e3911ce68a1af"),
            "8061eb838b1f6f186dc9803d7c85b84071c36053668080df72fe7ecb35fad2a5a4ceab4b17b3c30c78ce55161454e922"
            + "cd45fc6c2b6ed1066985239ad067dfdef0735f67527f28346f2d72cd6896c2fb5163f3364a6a56595519845c5feebed7"
            + "dfe69cea5d5065c072c08e2a0f81392a0531f0f412589b7cef18ff80030781425c94d82722887222b635eef9d0487269"
            + "e9472ba1cef2e34b874c859aaac78ac4d1fd33bc6c4c1fe93c74b0c8d6f096d2030e12d198c7e1aee29aaf45976b144a"
            + "6395b09988e7c5d15da68a46f8bdea806e4b365041e756a30c4a7322431acaecfc56ec051a2676a55b8d2f5873070724"
            + "35528c2a8d63836849af9ffafb8a46cd5955f74cc1fde53cc6afa00186bf10e05be8e9693b0a91d7f2993974fa44558b"
            + "0671bba0824ec87b58d4bcae6bf27cf2017a9abc45111f4f0249e221697e0abe59b96b349a4ee3d65754da35c16c6450"
            + "7ca708ded491b9ccfea90bf8c2a991b2c281acd6015df9137b0bd0270184a85633e6760eaa6ea9dd909ca886b486f54b"
            + "4371fdbdba493665f7a3915f807ed20366511fa2cabd3f7e93536227e3d8518ebe7523257bfd09eca8d81c4e52b91a18"
            + "b26d2642ae035ca7718e9ca34d54bdaeffadf84afb5c4f9906c181cf080bdeb49069b486286d53040cea45b7edb8d8fa"
            + "6f327214c2a3fb22ebd89e1b43ddf90e5c3c659d48eb64b524c1612c21a0702dee014c99d487563c7cd764fbc098fb32"
            + "c28ed0448ab24e260b42e6d47ca7205303aeca04fd144a33c01099cd22197aa51487cc10eedc48aeb24e32bd1014e269"
            + "15c94804c1ef9fff38509858a6128d9a084fd86afa71caf5fa9ccf594993803dca25a1cee54c3ab2ee6ebcb475cceaa2"
            + "3c3fe9e44db05d4d88e7f6899705c5df2187ec8c0da9ab239c12b5f8777c66a15a7a4403db8811e889884ab58ea29b52"
            + "fdd1c380e9b715feba226e02aaf6b30e5ed8ef4fec5a680a239106d091d77aefc64b3ee125c93f4934846d0a024cfe73"
            + "ebb96a028b74ee56ca1df1951f0d3b25f4fc8e31e59bbce237db858c93623b5df9eb216d3433b8b9858720f3cbf33861"
            + "63a25cf385577d7b0ace67fd40fbd5dcc37d5e86c376ab1d259b23e4ad522f2d81241e42cb967488e10d36faab6c2876"
            + "cfcd7da303623fa0676ba43c48195aa294f4fb273ad5219a6aeb4c4aa8d9e241c9e462f34b509894ef8eaeed8f688072"
            + "dde31e2e5659c6db4522b3d15acb18013a8667bff310ed4b48b3f81dd7d94504e4ec7111fce6d0b461ba26b836f5604c"
            + "90ddf395cf48c45f47e6559bbd6d0c4d3f96b8ae7c0455cabe5b890b195efe0aaf20faba918d90e4095a34f72be38829"
            + "a2fde66d7b6d5ed4ee42a77793e0e0a7a86af5f426fbc29e47cc5202da33ce94bc26012b33bf2dfb8a9a9a928eb02896"
            + "bea380b03534dac834677ebf703cdf8ce3532c57727974e9b70bad5024474e2a2f799ea8ab05e99e2c20474a5f453fe7"
            + "aaaba0a56c0d7ad15f3dec71986d3200d1cfc910c575711f06fb00c3e4cd4c34d3920b42373d59fde5b5cf9f30e467df"
            + "9abcf8be0ed2bba6ac3e81e5f7bc8cabd3b26a36b8f936432cc72bc9459d7aa8d26e62acdad4a8aa5dcb4165466f83a4"
            + "40ecc8abd2bd34fef783372d02c89cdddecc0eeba89b17596578bd709840ee78fc0150f5d7523300e8de6d56d749d26a"
            + "e81402e2ae614f7720c0faed45409cc0d41d3951b8e13735e146ad96f4383e8868d8b6ed5ebba07f5bfc476e073fec32"
            + "3c3e64483c93314011b55b4d5e788922355deff86120b900a375f07247c26cbe969aa75e341777f22551c740606f4f1f"
            + "974b61f9cdaf6dc52d9e897ab7c3e3b6a5d22bec3a34cdc268b18a38a9bdd8cb116331e35d3bdd0d763286cb59c9777f"
            + "c5ef089d9ec4e7b29d5a39351c4995218ce3dcf35a1772963bfb18d7",
            "8061eb838b1f6f186dc9803d9907f21219810a0f68d5fc96247e0e3d50117729a0cd93edafa0ec87a6bef9e1232dc4d4"
            + "a408a1769f648a875c44d60486b96fb8a385242dcff40e47fd6993b55cebf27ca9476aa8ed0f8bae4a8a30630a72e5b5"
            + "5421b143af2a7460b40cb1451ce07ae1dc67ff35ed1d9b16d36ae861b778069a5c76a77f9224ddc06128d334853af065"
            + "4553358f0d9f9ff93b0a0bf342a8cfc189ea9c5e58695219ea7b79549f1cde516c031ca151d3631c5786e4edacfe17c4"
            + "357a61de444bd503b82f11d3f862c1049ff34d607ca6f221a0d748cdb02cfda8492afd871de4129ac508683dc062e206"
            + "73f3b25d8ba6eb9c982dc83be65ee5ffac461f78c55574163aac4c1fbcc508fe249efd67ddf10fba916cd35f8cac5e9c"
            + "0b8a8a89ce785bc6d4b349ef53ab36e703bebb00b1ab35caee2c6caf3b946c49acba0e4a161878ad01d2a24b28a68c31"
            + "cd97ef1544cf2d9dd705726a6c0b300a274d87de710ce7fc982382fd80716fce8a9ad6a7dc7f911d32e2b282c44262fb"
            + "0f4a1e209d70b8830f841db883011a9b62dd2ac8cd5c0cb57a1d513c279f351504c4ac37b916d755efed179797485f78"
            + "e64bc45f3605d2c780b481793514c46cc25e09732a1a5173cad900071973e16fcc7df0c9dfc3bd8c5524ace2c78fecdf"
            + "d89e25e0598dde23e15ae0a4923ac621647eefca93c768670ca2f88f5080db5b2627c2b41b45d7a5024ba393c08e08e5"
            + "799c75568fb2c8739a47a873a623cdb6a723d65816b41d7a856bc747f80eb5fd0c71787b1dfce49bf50a5ea74e5d8b6d"
            + "81b6200723ba3d7c9418898ff55fad0e63c5d522d4300ac9362e1cdd63cc6c43825a70d9887a93c5dc8678aa0fc764c1"
            + "b30c476b94c6aed5b106ab0e70f87ec6d9f4d23a782f38583287180aa16e941b48532db7cde3f127ad1ae0d5edd82953"
            + "00989c56decdb8709488a7ef2f742fcb4d05f6d0ee40b0447dcc186d31e1b1436c56ec9629c8f4ac798aaf739cf64ea7"
            + "0805d66d9a28d4e267b90be5857ab26790648e1d84e6a813cc6ab6200e42099ec0b4beb46e4a5dddb2295caa2cbc5256"
            + "5b532b0b374e12a9aff0935e768929d354a6509bf3da7347e75711c66489958b85f420861c4ace5c08cf935ca4580a2d"
            + "4e031e8725b63bd08d8dba3d8023bbbb83cb91ed6fdf9bbaf6fa4b7850ffea6673f5eecc605a73a6e4befbdb11a9f246"
            + "55d6fe4f6d6f47dfd005c90ed296509d994d222b345cf30d1a919e6c5deabc99d3ed91bc043d2a1aa1da38dfcbe7dbdb"
            + "02ded89fc0780b609c0824d982fed0b2e8019a46d206af36da3f0493c903b7498d504dfc2c85e8b20923d24dd4b3bf88"
            + "058902e440fe9dbe8513396ca0ae50c358f2bd9a773dfdf177208e9b3949f100f736662f2b90eb9e43e6cce891d8e8b3"
            + "257ef25535a115cd7cff2189defdac37e615f0de6500cef61658f99c3d94880f9658c6372cc813bbd5eca8abb275b519"
            + "a1b79048abb7dd8841a2da98d79b1b761969d034f2ece5d8b08fe3eae943bcd44bb3f76ab18790dd9ada447817adf614"
            + "9605848d998da8922b178755aa6d54d3cc05916bcec66244327646a9a792ada1b76eac5ec1d5a1cf6db2ab5dbd5b9bb2"
            + "d7049067215a5b107eb01128ceed808f1c5bd578da0f4dc5fb976a83d3a20b5b9a1f5e106430f6b50935bb132d72ccfa"
            + "36425cef4504973856e59e96e360180339251a7ac8be8385d7bc8a67cfafc4127616ddd0d79379ffbf80efe9e6599599"
            + "f516f59c15ff47ef38b71fecead08f9cc22c1a77dc7784a4360a0b94e594ba970a4f31f61467df7c7b04b58c95bf9177"
            + "b8973bfb396a0f463982e1457218a87d7848a43bc6c846393375030d1da8d606a53a05459e86b9f50bfdd6f79aa89e43"
            + "43c610103ad49e08df25f75e9ffcd3c6a18d0334a533defac7d087f984d7e61ac7355fb61975"),
    ];

    public static readonly SrtcpPacketVector[] SrtcpPackets =
    [
        new("libsrtp-validate-srtcp-aes128cm-sha1-80", "cisco/libsrtp test/srtp_driver.c @ 9073dfe9eea29ebd75ea747278e997924f3988bd srtp_validate()",
            SrtpSuite.AesCm128HmacSha1_80, "e1f97a0d3e018be0d64fa32c06de4139", "0ec675ad498afeebb6960b3aabe6", 3405691582u, 1,
            new("4c1aa45a81f73d61c800bbb00fbb1eaa", "8d54534feb49ae8e7993a6bd0b844fc323a93dfd", "9581c7ad87b3e530bf3e4454a8b3"),
            "81c8000bcafebabeabababababababababababababababab",
            "81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798"),
        new("pion-srtcp-aes128cm-sha1-80", "pion/srtp srtp_cipher_test.go @ df5f1a88cf6eeffbbed4c1c58ec6579403b3efe9",
            SrtpSuite.AesCm128HmacSha1_80, "000102030405060708090a0b0c0d0e0f", "a0a1a2a3a4a5a6a7a8a9aaabacad", 3405691582u, 1,
            new("cd6a078402e65ab714cf1513e399e69d", "d48d43f72e975e5b160facf31f234ba99381510d", "f7ce837b5e4bffc25a96218fc6c7"),
            "81c8000bcafebabeabababababababababababababababab",
            "81c8000bcafebabe5674bf01813dc062ac1df6f75f77c688800000013db7a19837ff64e5cbd2"),
        new("pion-srtcp-aes128cm-sha1-32-profile", "pion/srtp srtp_cipher_test.go @ df5f1a88cf6eeffbbed4c1c58ec6579403b3efe9",
            SrtpSuite.AesCm128HmacSha1_32, "000102030405060708090a0b0c0d0e0f", "a0a1a2a3a4a5a6a7a8a9aaabacad", 3405691582u, 1,
            new("cd6a078402e65ab714cf1513e399e69d", "d48d43f72e975e5b160facf31f234ba99381510d", "f7ce837b5e4bffc25a96218fc6c7"),
            "81c8000bcafebabeabababababababababababababababab",
            "81c8000bcafebabe5674bf01813dc062ac1df6f75f77c688800000013db7a19837ff64e5cbd2"),
        new("sharpsrtp-srtcp-index0", "jimm98y/SharpSRTP src/SharpSRTP.Tests/TestRFC3711.cs @ f072f5156eaacc616f81c78c05d78ada0e82f2b3 (RTCP rows)",
            SrtpSuite.AesCm128HmacSha1_80, "7c70686d319cdb521a6b71d883f9ce08", "68d48dc36f7f29c860eae2e3be5b", 1729498583u, 0,
            new("36db45fe23d42378ffc1df8f8241f26b", "a5a171c0a334826513056abe124e22417fa21a86", "fad326f5f9a17147157f82602566"),
            "80c8000667160dd7ecf549a36fdf3b6499f322dc00000083000288e781ca000267160dd701000000",
            "80c8000667160dd794c8324dbed8d36fe8e0b6afa47cc7e05f436ec763e8a1e9081aefa22e084c1d800000002af3b0da"
            + "27475b47bee1"),
        new("sharpsrtp-srtcp-index1", "jimm98y/SharpSRTP src/SharpSRTP.Tests/TestRFC3711.cs @ f072f5156eaacc616f81c78c05d78ada0e82f2b3 (RTCP rows)",
            SrtpSuite.AesCm128HmacSha1_80, "7c70686d319cdb521a6b71d883f9ce08", "68d48dc36f7f29c860eae2e3be5b", 1729498583u, 1,
            new("36db45fe23d42378ffc1df8f8241f26b", "a5a171c0a334826513056abe124e22417fa21a86", "fad326f5f9a17147157f82602566"),
            "80c8000667160dd7ecf549a470624dd299f48320000000c20003a98b81ca000267160dd701000000",
            "80c8000667160dd7c7708f404d42f4f1cae25b397578f88986d19eea6cb8b8bcf3e45330fb4e0ceb800000015f3f9dbe"
            + "4f835ab1291d"),
        new("sharpsrtp-srtcp-index2", "jimm98y/SharpSRTP src/SharpSRTP.Tests/TestRFC3711.cs @ f072f5156eaacc616f81c78c05d78ada0e82f2b3 (RTCP rows)",
            SrtpSuite.AesCm128HmacSha1_80, "7c70686d319cdb521a6b71d883f9ce08", "68d48dc36f7f29c860eae2e3be5b", 1729498583u, 2,
            new("36db45fe23d42378ffc1df8f8241f26b", "a5a171c0a334826513056abe124e22417fa21a86", "fad326f5f9a17147157f82602566"),
            "80c8000667160dd7ecf549a57020c49b99f5e256000001340005d83b81ca000267160dd701000000",
            "80c8000667160dd7b42f73c3adb3dbff1f9644cd89f8a2305b1bbc641c5a6d704fea376d697b7cd2800000029c0c2e3b"
            + "7775633ae4d1"),
    ];

    public static readonly GcmVector[] Gcm =
    [
        new("rfc7714-16-aead_aes_128_gcm", "RFC 7714 Sections 16-17 (values as carried in pion/srtp srtp_cipher_aead_aes_gcm_rfc_test.go and jimm98y/SharpSRTP src/SharpSRTP.Tests/TestRFC7714.cs) s16 (SRTP)",
            SrtpSuite.AeadAes128Gcm, "000102030405060708090a0b0c0d0e0f", "517569642070726f2071756f", 1426170034u, 61819, false,
            "51753c6580c2726f20718414", "8040f17b8041f8d35501a0b2",
            "8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e69732064697669736120696e20706172746573207472"
            + "6573",
            "8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf"
            + "8833899d7f27beb16a9152cf765ee4390cce"),
        new("rfc7714-17-aead_aes_128_gcm", "RFC 7714 Sections 16-17 (values as carried in pion/srtp srtp_cipher_aead_aes_gcm_rfc_test.go and jimm98y/SharpSRTP src/SharpSRTP.Tests/TestRFC7714.cs) s17 (SRTCP)",
            SrtpSuite.AeadAes128Gcm, "000102030405060708090a0b0c0d0e0f", "517569642070726f2071756f", 1298231923u, 1492, true,
            "517524055203726f207170bb", "81c8000d4d617273800005d4",
            "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeef"
            + "deadbeef",
            "81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda4ce09b4686303ded"
            + "0bb9275bc84aa45896cf4d2fc5abf87245d9eade800005d4"),
        new("rfc7714-16-aead_aes_256_gcm", "RFC 7714 Sections 16-17 (values as carried in pion/srtp srtp_cipher_aead_aes_gcm_rfc_test.go and jimm98y/SharpSRTP src/SharpSRTP.Tests/TestRFC7714.cs) s16 (SRTP)",
            SrtpSuite.AeadAes256Gcm, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "517569642070726f2071756f", 1426170034u, 61819, false,
            "51753c6580c2726f20718414", "8040f17b8041f8d35501a0b2",
            "8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e69732064697669736120696e20706172746573207472"
            + "6573",
            "8040f17b8041f8d35501a0b232b1de78a822fe12ef9f78fa332e33aab18012389a58e2f3b50b2a0276ffae0f1ba63799"
            + "b87b7aa3db36dfffd6b0f9bb7878d7a76c13"),
        new("rfc7714-17-aead_aes_256_gcm", "RFC 7714 Sections 16-17 (values as carried in pion/srtp srtp_cipher_aead_aes_gcm_rfc_test.go and jimm98y/SharpSRTP src/SharpSRTP.Tests/TestRFC7714.cs) s17 (SRTCP)",
            SrtpSuite.AeadAes256Gcm, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "517569642070726f2071756f", 1298231923u, 1492, true,
            "517524055203726f207170bb", "81c8000d4d617273800005d4",
            "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeef"
            + "deadbeef",
            "81c8000d4d617273d50ae4d1f5ce5d304ba297e47d470c282c3ece5dbffe0a50a2eaa5c1110555be8415f658c61de047"
            + "6f1b6fad1d1eb30c4446839f57ff6f6cb26ac3be800005d4"),
    ];
}
