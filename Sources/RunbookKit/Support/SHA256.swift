import CCrypto

/// SHA-256 over bytes, through OpenSSL's libcrypto (EVP interface).
///
/// Streaming use: create, `update` any number of times, then `finalize`.
public struct SHA256Hasher: ~Copyable {
    private let context: OpaquePointer

    /// Starts a new digest.
    public init() {
        guard let ctx = EVP_MD_CTX_new() else {
            fatalError("libcrypto could not allocate a digest context (out of memory)")
        }
        precondition(EVP_DigestInit_ex(ctx, sha256Algorithm, nil) == 1, "EVP_DigestInit_ex(sha256) failed")
        context = ctx
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Feeds bytes into the digest.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        precondition(EVP_DigestUpdate(context, base, bytes.count) == 1, "EVP_DigestUpdate failed")
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
        guard let copy = EVP_MD_CTX_new() else { fatalError("libcrypto could not allocate a digest context") }
        defer { EVP_MD_CTX_free(copy) }
        precondition(EVP_MD_CTX_copy_ex(copy, context) == 1, "EVP_MD_CTX_copy_ex failed")
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        precondition(EVP_DigestFinal_ex(copy, &digest, &length) == 1 && length == 32, "EVP_DigestFinal_ex failed")
        return hexString(digest)
    }

    /// Finishes the digest and returns it as lower-case hex.
    public consuming func finalizeHex() -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        precondition(EVP_DigestFinal_ex(context, &digest, &length) == 1 && length == 32, "EVP_DigestFinal_ex failed")
        return hexString(digest)
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
    public static func hex<C: ContiguousBytes>(_ bytes: C) -> String {
        bytes.withUnsafeBytes { digestHex($0) }
    }

    /// The lower-case hex SHA-256 of a string's UTF-8 bytes.
    public static func hex(_ string: String) -> String {
        var copy = string
        return copy.withUTF8 { digestHex(UnsafeRawBufferPointer($0)) }
    }

    private static func digestHex(_ buffer: UnsafeRawBufferPointer) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 33) { scratch in
            // `scratch` holds the digest; its last byte stands in for the data of an empty buffer without an address.
            var length: UInt32 = 0
            let data = buffer.baseAddress ?? UnsafeRawPointer(scratch.baseAddress.map { $0 + 32 })
            let ok = EVP_Digest(data, buffer.count, scratch.baseAddress, &length, sha256Algorithm, nil)
            precondition(ok == 1 && length == 32, "EVP_Digest(sha256) failed")
            return hexString(UnsafeBufferPointer(rebasing: scratch[..<32]))
        }
    }
}

/// SHA-256 fetched once: OpenSSL 3 would otherwise look the algorithm up on every call.
nonisolated(unsafe) private let sha256Algorithm: OpaquePointer = {
    // Only SHA-256 is used: libcrypto need not first add every cipher and digest it has to its
    // name tables (its default start-up, a third of a short command's own CPU time). The fetch
    // below goes through the providers, which those tables are not part of.
    _ = OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_ADD_ALL_CIPHERS | OPENSSL_INIT_NO_ADD_ALL_DIGESTS), nil)
    guard let md = EVP_MD_fetch(nil, "SHA256", nil) else { fatalError("libcrypto has no SHA256") }
    return md
}()

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
