/// A SHA-256 digest kept as its 32 bytes instead of its 64 hex digits as a `String` (16 bytes and
/// a heap block of about 100 more), for records kept for every step.
struct HexDigest: Hashable, Sendable {
    private var a: UInt64 = 0
    private var b: UInt64 = 0
    private var c: UInt64 = 0
    private var d: UInt64 = 0

    /// The digest `hex` spells; nil unless it is exactly 64 lowercase hex digits (so `hex` gives
    /// back the same string).
    init?(hex: String) {
        var text = hex
        guard let parsed = text.withUTF8({ Self.parse($0) }) else { return nil }
        self = parsed
    }

    private init() {}

    /// The digest whose 32 bytes are `bytes`, in order.
    init(digestBytes bytes: UnsafeBufferPointer<UInt8>) {
        precondition(bytes.count == 32, "a SHA-256 digest is 32 bytes")
        func word(_ part: Int) -> UInt64 { bytes[part * 8..<part * 8 + 8].reduce(0) { $0 << 8 | UInt64($1) } }
        (a, b, c, d) = (word(0), word(1), word(2), word(3))
    }

    /// All zero bits (a placeholder where no digest is kept).
    static let zero = HexDigest()

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> HexDigest? {
        guard bytes.count == 64 else { return nil }
        func word(_ part: Int) -> UInt64? {
            var value: UInt64 = 0
            for byte in bytes[part * 16..<part * 16 + 16] {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt64(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt64(byte - UInt8(ascii: "a") + 10)
                default: return nil
                }
            }
            return value
        }
        guard let a = word(0), let b = word(1), let c = word(2), let d = word(3) else { return nil }
        var digest = HexDigest()
        (digest.a, digest.b, digest.c, digest.d) = (a, b, c, d)
        return digest
    }

    /// The 64 lowercase hex digits.
    var hex: String {
        String(unsafeUninitializedCapacity: 64) { buffer in
            func put(_ word: UInt64, at start: Int) {
                for digit in 0..<16 {
                    let nibble = UInt8(truncatingIfNeeded: word >> UInt64(60 - 4 * digit)) & 0xF
                    buffer[start + digit] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
                }
            }
            put(a, at: 0)
            put(b, at: 16)
            put(c, at: 32)
            put(d, at: 48)
            return 64
        }
    }
}
