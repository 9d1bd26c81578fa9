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

/// A SHA-256 context reused for many short digests (one context allocation instead of one per digest).
///
/// Not thread-safe: give each thread its own.
final class ReusableSHA256 {
    private let context: OpaquePointer

    init() {
        guard let ctx = EVP_MD_CTX_new() else { fatalError("libcrypto could not allocate a digest context (out of memory)") }
        context = ctx
    }

    deinit { EVP_MD_CTX_free(context) }

    /// The lower-case hex SHA-256 of a string's UTF-8 bytes.
    func hex(_ string: String) -> String {
        var copy = string
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        copy.withUTF8 { buffer in
            precondition(EVP_DigestInit_ex(context, sha256Algorithm, nil) == 1, "EVP_DigestInit_ex failed")
            if let base = buffer.baseAddress, buffer.count > 0 {
                precondition(EVP_DigestUpdate(context, base, buffer.count) == 1, "EVP_DigestUpdate failed")
            }
            precondition(EVP_DigestFinal_ex(context, &digest, &length) == 1 && length == 32, "EVP_DigestFinal_ex failed")
        }
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
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let empty: [UInt8] = [0]
        let ok = empty.withUnsafeBytes { emptyBuffer in
            EVP_Digest(buffer.baseAddress ?? emptyBuffer.baseAddress, buffer.count, &digest, &length, sha256Algorithm, nil)
        }
        precondition(ok == 1 && length == 32, "EVP_Digest(sha256) failed")
        return hexString(digest)
    }
}

/// SHA-256 fetched once: OpenSSL 3 would otherwise look the algorithm up on every call.
nonisolated(unsafe) private let sha256Algorithm: OpaquePointer = {
    guard let md = EVP_MD_fetch(nil, "SHA256", nil) else { fatalError("libcrypto has no SHA256") }
    return md
}()

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

/// Lower-case hex of bytes.
public func hexString(_ bytes: [UInt8]) -> String {
    var out = [UInt8]()
    out.reserveCapacity(bytes.count * 2)
    for byte in bytes {
        out.append(hexDigits[Int(byte >> 4)])
        out.append(hexDigits[Int(byte & 0xF)])
    }
    return String(decoding: out, as: UTF8.self)
}
