import CCrypto

/// SHA-256 over bytes, through OpenSSL's libcrypto (its SHA-256 functions, linked statically).
///
/// Streaming use: create, `update` any number of times, then `finalize`.
public struct SHA256Hasher: ~Copyable {
    private var context = SHA256_CTX()

    /// Starts a new digest.
    public init() {
        precondition(SHA256_Init(&context) == 1, "SHA256_Init failed")
    }

    /// Feeds bytes into the digest.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        precondition(SHA256_Update(&context, base, bytes.count) == 1, "SHA256_Update failed")
    }

    /// Feeds bytes into the digest.
    public mutating func update<C: ContiguousBytes>(_ bytes: C) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Feeds a string's UTF-8 bytes into the digest.
    public mutating func update(_ string: String) {
        var copy = string
        copy.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// The digest of what was fed so far, as lower-case hex, without ending the stream.
    public func finalizeHexCopy() -> String {
        var copy = context  // the state is plain bytes: a copy goes on independently
        return Self.finish(&copy).hex
    }

    /// Finishes the digest and returns it as lower-case hex.
    public consuming func finalizeHex() -> String {
        Self.finish(&context).hex
    }

    /// Finishes the digest and returns its 32 bytes, kept inline.
    consuming func finalizeDigest() -> HexDigest {
        Self.finish(&context)
    }

    private static func finish(_ context: inout SHA256_CTX) -> HexDigest {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest in
            precondition(SHA256_Final(digest.baseAddress, &context) == 1, "SHA256_Final failed")
            return HexDigest(digestBytes: UnsafeBufferPointer(digest))
        }
    }
}

/// Bytes that can be viewed contiguously.
public protocol ContiguousBytes {
    /// Calls `body` with the bytes.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: ContiguousBytes where Element == UInt8 {}
extension ArraySlice: ContiguousBytes where Element == UInt8 {}

/// One-shot SHA-256 helpers.
public enum SHA256 {
    /// The lower-case hex SHA-256 of `bytes`.
    public static func hex<C: ContiguousBytes>(_ bytes: C) -> String { digest(bytes).hex }

    /// The lower-case hex SHA-256 of a string's UTF-8 bytes.
    public static func hex(_ string: String) -> String { digest(string).hex }

    /// The SHA-256 of `bytes` as its 32 bytes (`HexDigest`: no string on the heap).
    static func digest<C: ContiguousBytes>(_ bytes: C) -> HexDigest {
        var hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finalizeDigest()
    }

    /// The SHA-256 of a string's UTF-8 bytes as its 32 bytes.
    static func digest(_ string: String) -> HexDigest {
        var hasher = SHA256Hasher()
        hasher.update(string)
        return hasher.finalizeDigest()
    }
}

/// Lower-case hex of bytes.
public func hexString(_ bytes: [UInt8]) -> String {
    bytes.withUnsafeBufferPointer { hexString($0) }
}

/// Lower-case hex of bytes, written straight into the string's storage.
func hexString(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    String(unsafeUninitializedCapacity: bytes.count * 2) { out in
        for (i, byte) in bytes.enumerated() {
            out[2 * i] = hexDigit(byte >> 4)
            out[2 * i + 1] = hexDigit(byte & 0xF)
        }
        return bytes.count * 2
    }
}

@inline(__always) private func hexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? 0x30 + nibble : 0x57 + nibble  // '0'...'9', 'a'...'f'
}
