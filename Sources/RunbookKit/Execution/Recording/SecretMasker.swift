import CSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Replaces secret values in a byte stream before anything reaches disk.
///
/// Masks each secret as written, each of its lines (multi-line secrets such as
/// PEM keys), its base64 (standard and URL alphabets, at the three byte
/// offsets it can start at), its hex (both cases) and its percent-encoding.
/// A secret split across two writes is still caught: the masker holds back
/// the last (longest pattern − 1) bytes until the next write or `finish()`.
final class SecretMasker {
    /// What replaces a secret.
    static let marker = Array("[masked]".utf8)
    /// The shortest secret accepted; shorter ones would mask ordinary words.
    static let minimumSecretLength = ParamResolver.minimumSecretLength

    private let patterns: [[UInt8]]
    private let keep: Int
    private var carry: [UInt8] = []
    private var nextHit: [Int]
    private var carryBase = 0
    /// How many occurrences were masked so far.
    private(set) var maskedCount = 0

    var isEmpty: Bool { patterns.isEmpty }

    init(secrets: [String]) {
        var set = Set<[UInt8]>()
        for secret in secrets where secret.utf8.count >= Self.minimumSecretLength {
            for variant in Self.variants(of: secret) where variant.count >= 6 { set.insert(variant) }
        }
        patterns = set.sorted { $0.count > $1.count }
        keep = max((patterns.first?.count ?? 1) - 1, 0)
        nextHit = Array(repeating: -1, count: patterns.count)
    }

    /// Masks a chunk; returns the bytes that are safe to write now.
    func process(_ chunk: UnsafeRawBufferPointer) -> [UInt8] {
        if patterns.isEmpty { return Array(chunk) }
        carry.append(contentsOf: chunk)
        return drain(final: false)
    }

    /// A masker for the same secrets with no stream state (one per output stream).
    func fresh() -> SecretMasker { SecretMasker(patterns: patterns, keep: keep) }

    /// Masks a whole value at once (for notes, reasons, exported values).
    func mask(_ text: String) -> (String, Int) {
        guard !patterns.isEmpty else { return (text, 0) }
        let other = SecretMasker(patterns: patterns, keep: keep)
        var bytes = Array(text.utf8)
        var out = bytes.withUnsafeBytes { other.process($0) }
        out += other.finish()
        bytes = out
        return (String(decoding: bytes, as: UTF8.self), other.maskedCount)
    }

    /// Releases whatever is held back, masked.
    func finish() -> [UInt8] {
        if patterns.isEmpty { return [] }
        return drain(final: true)
    }

    private init(patterns: [[UInt8]], keep: Int) {
        self.patterns = patterns
        self.keep = keep
        self.nextHit = Array(repeating: -1, count: patterns.count)
    }

    private func drain(final: Bool) -> [UInt8] {
        let n = carry.count
        let safe = final ? n : n - keep
        var out: [UInt8] = []
        guard safe > 0 else { return out }
        out.reserveCapacity(safe)
        // Positions cached in nextHit are relative to the carry buffer; reset every drain.
        for i in nextHit.indices { nextHit[i] = -2 }
        var pos = 0
        carry.withUnsafeBytes { buffer in
            // `safe > 0`, so the carry is not empty and has an address.
            guard let base = buffer.baseAddress else { return }
            while pos < safe {
                var best = -1
                var bestIndex = -1
                for (i, pattern) in patterns.enumerated() {
                    if nextHit[i] == -1 { continue }  // no more hits for this pattern
                    if nextHit[i] < pos {  // stale: search again from pos
                        nextHit[i] = pattern.withUnsafeBytes { p in
                            guard let found = rb_memmem(base + pos, n - pos, p.baseAddress, p.count) else { return -1 }
                            return base.distance(to: UnsafeRawPointer(found))
                        }
                        if nextHit[i] == -1 { continue }
                    }
                    if best < 0 || nextHit[i] < best {
                        best = nextHit[i]
                        bestIndex = i
                    }
                }
                if best >= 0 && best < safe {
                    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[pos..<best]))
                    out.append(contentsOf: Self.marker)
                    maskedCount += 1
                    pos = best + patterns[bestIndex].count
                } else {
                    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[pos..<safe]))
                    pos = safe
                }
            }
        }
        carry.removeFirst(min(pos, carry.count))
        return out
    }

    /// Every form of a secret that is masked.
    static func variants(of secret: String) -> [[UInt8]] {
        let bytes = Array(secret.utf8)
        var out: [[UInt8]] = [bytes]
        let lines = secret.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        if lines.count > 1 {
            for line in lines where line.utf8.count >= minimumSecretLength { out.append(Array(line.utf8)) }
        }
        // base64 at three offsets: keep only the characters fixed by the secret's own bits.
        for offset in 0..<3 {
            let padded = [UInt8](repeating: 0, count: offset) + bytes
            let encoded = Array(Data(padded).base64EncodedString().utf8.filter { $0 != UInt8(ascii: "=") })
            let first = (8 * offset + 5) / 6
            let last = (8 * (offset + bytes.count)) / 6
            if last > first {
                let middle = Array(encoded[first..<min(last, encoded.count)])
                out.append(middle)
                out.append(middle.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: "-") : $0 == UInt8(ascii: "/") ? UInt8(ascii: "_") : $0 })
            }
        }
        let hexLower = hexString(bytes)
        out.append(Array(hexLower.utf8))
        out.append(Array(hexLower.uppercased().utf8))
        out += wrapped(of: bytes, hex: hexLower)
        out += percentEncodings(of: bytes)
        return out
    }

    /// The base64 and hex of a secret printed from its first byte, as the usual tools break them
    /// into lines (`base64` at 76 characters, `openssl base64` and PEM at 64, `xxd -p` at 60 hex
    /// digits): the whole of it with its line breaks, and each of its full lines by itself.
    private static func wrapped(of bytes: [UInt8], hex: String) -> [[UInt8]] {
        // The characters fixed by the secret's own bits: a prefix of its base64.
        let base64 = Array(Data(bytes).base64EncodedString().utf8.filter { $0 != UInt8(ascii: "=") }.prefix(8 * bytes.count / 6))
        var out: [[UInt8]] = []
        for (text, width) in [(base64, 76), (base64, 64), (Array(hex.utf8), 60), (Array(hex.uppercased().utf8), 60)] where text.count > width {
            var lines: [[UInt8]] = []
            var start = 0
            while start < text.count {
                lines.append(Array(text[start..<min(start + width, text.count)]))
                start += width
            }
            out.append(Array(lines.joined(separator: [UInt8(ascii: "\n")])))
            out += lines.filter { $0.count == width }
        }
        return out
    }

    /// The percent-encodings URL encoders write: every byte outside the characters they leave
    /// alone as `%XX` — none but letters and digits; RFC 3986's unreserved ones too (`- . _ ~`:
    /// jq's `@uri`, curl, Python's `quote(s, safe="")`, Go); with `/` (Python's `quote`); with
    /// `! * ' ( )` (JavaScript's `encodeURIComponent`) — each also with `+` for a space (forms),
    /// and the unreserved one in lowercase hex.
    private static func percentEncodings(of bytes: [UInt8]) -> [[UInt8]] {
        let alphanumeric = { (byte: UInt8) in (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
        func encoded(keeping extra: String, lowercase: Bool = false) -> [UInt8] {
            let kept = Set(extra.utf8)
            let digits = Array((lowercase ? "0123456789abcdef" : "0123456789ABCDEF").utf8)
            var out: [UInt8] = []
            for byte in bytes {
                if alphanumeric(byte) || kept.contains(byte) {
                    out.append(byte)
                } else {
                    out += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
                }
            }
            return out
        }
        var out: [[UInt8]] = []
        for form in [
            encoded(keeping: ""), encoded(keeping: "-._~"), encoded(keeping: "-._~/"), encoded(keeping: "-_.!~*'()"), encoded(keeping: "-._~", lowercase: true),
        ]
        where form != bytes {
            out.append(form)
            let plus = Array(String(decoding: form, as: UTF8.self).replacingOccurrences(of: "%20", with: "+").utf8)
            if plus != form { out.append(plus) }
        }
        return out
    }
}
