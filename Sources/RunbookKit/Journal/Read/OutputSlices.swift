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
        var digest: HexDigest
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
        let digest = HexDigest(hex: output.sha256)
        if digest == nil { extra.sha256 = output.sha256 }
        var inline = Inline.none
        if let text = output.inline {
            let bytes = base64Decoded(text)
            let hash = bytes.map { SHA256.hex($0) }
            inline = bytes?.count == output.bytesKept && hash == output.sha256 ? .matches : .differs
            if inline == .differs { extra.inlineSHA256 = hash }
        }
        if extra.path != nil || extra.sha256 != nil || extra.inlineSHA256 != nil { rare[index] = extra }
        all.append(LogSlice(offset: output.offset ?? 0, length: output.bytesKept, seq: seq, digest: digest ?? .zero, inline: inline))
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
        return HexDigest(hex: hex) == all[index].digest
    }

    /// What the inline bytes of the slice at `index` hash to, when they do not match (nil when they
    /// cannot be decoded).
    func inlineSHA256(at index: Int) -> String? { rare[index]?.inlineSHA256 }
}
