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
        if let percent = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics), percent != secret {
            out.append(Array(percent.utf8))
            out.append(Array(percent.replacingOccurrences(of: "%20", with: "+").utf8))
        }
        return out
    }
}
