import Testing

@testable import RunbookKit

/// SHA-256 (libcrypto's SHA-256 functions, linked statically) against the FIPS 180-2 test vectors,
/// one-shot and streamed, and a digest taken mid-stream (the journal's hash chain does that).
@Suite("SHA-256")
struct SHA256Tests {
    static let vectors: [(input: String, digest: String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ]

    @Test("the standard vectors, as bytes and as a string")
    func vectors() {
        for (input, digest) in Self.vectors {
            #expect(SHA256.hex(Array(input.utf8)) == digest, "\(input)")
            #expect(SHA256.hex(input) == digest, "\(input)")
        }
    }

    @Test("a million 'a's fed in pieces of every size from 1 to 997 bytes")
    func millionStreamed() {
        let million = [UInt8](repeating: 0x61, count: 1_000_000)
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(SHA256.hex(million) == expected)
        var hasher = SHA256Hasher()
        var offset = 0
        var size = 1
        while offset < million.count {
            let end = min(offset + size, million.count)
            hasher.update(million[offset..<end])
            offset = end
            size = size % 997 + 1
        }
        #expect(hasher.finalizeHex() == expected)
    }

    @Test("a digest taken mid-stream is the prefix's, and the stream goes on unchanged")
    func copyMidStream() {
        var hasher = SHA256Hasher()
        hasher.update("ab")
        #expect(hasher.finalizeHexCopy() == SHA256.hex("ab"))
        hasher.update("c")
        #expect(hasher.finalizeHexCopy() == Self.vectors[1].digest)
        #expect(hasher.finalizeHexCopy() == Self.vectors[1].digest, "taking a copy twice changes nothing")
        hasher.update(UnsafeRawBufferPointer(start: nil, count: 0))
        #expect(hasher.finalizeHex() == Self.vectors[1].digest, "an empty buffer adds nothing")
    }

    @Test("the digest kept as 32 bytes spells the same hex, for every vector, a string and a file's stretch")
    func digestBytes() {
        for vector in Self.vectors {
            let bytes = Array(vector.input.utf8)
            #expect(SHA256.digest(bytes).hex == vector.digest, "\(vector.input.prefix(20))")
            #expect(SHA256.digest(vector.input) == HexDigest(hex: vector.digest), "\(vector.input.prefix(20))")
        }
        let text = FileText("echo \"a stretch of a file\"\n")
        #expect(text.sha256Digest.hex == text.sha256Hex)
        #expect(SHA256.digest("a") != SHA256.digest("b"))
    }
}
