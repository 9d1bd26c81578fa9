/// The slices of `output.log` a journal's `step_end` records name (version 2), kept small: a run
/// has one per attempt, and `runbook verify` and `runbook export` hold them all until the run
/// folder is checked. Each is its offset, length, `seq` and SHA-256 as 32 bytes; a record's
/// inline bytes are checked against its SHA-256 when it is added (only the verdict is kept), and
/// what few slices have (another file than `output.log`, a SHA-256 not in lower-case hex, the
/// hash of inline bytes that do not match it) is kept beside them.
struct OutputSlices: Sendable {
    /// What the record's own copy of the bytes (`inline`) says.
    enum Inline: UInt8, Sendable {
        /// The record carries no copy.
        case none
        /// It carries them, as many as the slice names, with the recorded SHA-256.
        case matches
        /// It carries bytes that cannot be decoded, or are not those: `inlineSHA256` says what they hash to.
        case differs
    }

    /// One slice.
    struct LogSlice: Sendable {
        var offset: Int
        var length: Int
        var seq: Int
        /// The recorded SHA-256 (when it is not lower-case hex, `sha256(at:)` has it as recorded).
        var digest: SHA256Digest
        var inline: Inline

        var range: Range<Int> { offset..<(offset + length) }
    }

    /// What few slices have.
    private struct Rare: Sendable {
        var path: String?
        var sha256: String?
        var inlineSHA256: String?
    }

    private(set) var all: [LogSlice] = []
    private var rare: [Int: Rare] = [:]

    var isEmpty: Bool { all.isEmpty }

    /// Takes note of the slice `output` names, in the record with `seq`.
    mutating func append(_ output: OutputRef, seq: Int) {
        let index = all.count
        var extra = Rare()
        if output.file != OutputLog.name { extra.path = output.file }
        let digest = SHA256Digest(hex: output.sha256)
        if digest == nil { extra.sha256 = output.sha256 }
        var inline = Inline.none
        if let text = output.inline {
            let bytes = base64Decoded(text)
            let hash = bytes.map { SHA256.hex($0) }
            inline = bytes?.count == output.bytesKept && hash == output.sha256 ? .matches : .differs
            if inline == .differs { extra.inlineSHA256 = hash }
        }
        if extra.path != nil || extra.sha256 != nil || extra.inlineSHA256 != nil { rare[index] = extra }
        all.append(LogSlice(offset: output.offset ?? 0, length: output.bytesKept, seq: seq, digest: digest ?? SHA256Digest(), inline: inline))
    }

    /// Cuts the table to its size.
    mutating func shrink() { all = all.trimmed() }

    /// The file the slice at `index` is of, as recorded.
    func path(at index: Int) -> String { rare[index]?.path ?? OutputLog.name }

    /// The SHA-256 recorded for the slice at `index`, as recorded.
    func sha256(at index: Int) -> String { rare[index]?.sha256 ?? all[index].digest.hex }

    /// Whether `hex` is the SHA-256 recorded for the slice at `index`.
    func isRecordedSHA256(_ hex: String, at index: Int) -> Bool {
        if let recorded = rare[index]?.sha256 { return hex == recorded }
        return SHA256Digest(hex: hex) == all[index].digest
    }

    /// What the inline bytes of the slice at `index` hash to, when they do not match (nil when they
    /// cannot be decoded).
    func inlineSHA256(at index: Int) -> String? { rare[index]?.inlineSHA256 }
}

/// A SHA-256 as its 32 bytes.
struct SHA256Digest: Sendable, Equatable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    init() {}

    /// The digest whose lower-case hex is `hex`; nil for anything else (upper case, another length).
    init?(hex: String) {
        var utf8 = hex.utf8.makeIterator()
        func word() -> UInt64? {
            var word: UInt64 = 0
            for _ in 0..<16 {
                guard let c = utf8.next() else { return nil }
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): word = word << 4 | UInt64(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): word = word << 4 | UInt64(c - UInt8(ascii: "a") + 10)
                default: return nil
                }
            }
            return word
        }
        guard let a = word(), let b = word(), let c = word(), let d = word(), utf8.next() == nil else { return nil }
        words = (a, b, c, d)
    }

    /// Its lower-case hex.
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 64) { out in
            for (i, word) in [words.0, words.1, words.2, words.3].enumerated() {
                for nibble in 0..<16 { out[i * 16 + nibble] = digits[Int(word >> (60 - 4 * UInt64(nibble)) & 0xF)] }
            }
            return 64
        }
    }

    static func == (a: SHA256Digest, b: SHA256Digest) -> Bool { a.words == b.words }
}
