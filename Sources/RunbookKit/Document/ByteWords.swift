/// Eight bytes at a time (SWAR), for scanners that mostly skip bytes while looking for a few values.
enum ByteWords {
    /// The eight bytes of `bytes` from `offset` (at least eight must be left), the first in the low bits.
    @inline(__always) static func load(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt64 {
        UnsafeRawBufferPointer(bytes).loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian
    }

    /// The high bit of each byte of `word` that equals `byte`, and no other bit.
    @inline(__always) static func matches(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        zeroBytes(word ^ (0x0101_0101_0101_0101 &* UInt64(byte)))
    }

    /// Whether any byte of `word` is 0x80 or above.
    @inline(__always) static func hasNonASCII(_ word: UInt64) -> Bool {
        word & 0x8080_8080_8080_8080 != 0
    }

    /// The offset in the word of the first byte marked by `mask` (a result of `matches`, not zero).
    @inline(__always) static func firstOffset(_ mask: UInt64) -> Int {
        mask.trailingZeroBitCount / 8
    }

    /// How many bytes of `bytes` equal `byte`, counted eight at a time.
    static func count(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var total = 0
        var i = 0
        while i + 8 <= bytes.count {
            total += matches(load(bytes, at: i), byte).nonzeroBitCount
            i += 8
        }
        while i < bytes.count {
            if bytes[i] == byte { total += 1 }
            i += 1
        }
        return total
    }

    /// The high bit of each byte of `word` that is zero, and no other bit.
    @inline(__always) private static func zeroBytes(_ word: UInt64) -> UInt64 {
        // (b & 0x7F) + 0x7F sets the high bit unless the low seven bits are zero, and never carries into the next byte.
        ~(((word & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | word) & 0x8080_8080_8080_8080
    }
}
