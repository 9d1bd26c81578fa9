/// The bytes of a runbook file after byte-level checks and normalisation.
///
/// cmark silently turns NUL into U+FFFD and replaces invalid UTF-8, so what
/// would run differs from the file. These checks run first, on the raw bytes,
/// and report byte offsets. Then a UTF-8 BOM is dropped and CRLF becomes LF.
struct SourceText {
    /// Normalised bytes: no BOM, LF line ends; bytes already reported as errors are replaced by `?`.
    let bytes: [UInt8]
    /// Where each line starts in `bytes` (every 4th kept, the others found from it). Four bytes
    /// each: a file is at most `sizeLimit` bytes.
    let lineStarts: LineStarts

    /// The largest runbook file accepted, in bytes (20 MiB).
    static let sizeLimit = 20 * 1024 * 1024

    /// At most this many findings of one byte-level kind are listed; the rest are counted.
    static let reportLimit = 10

    init(raw: [UInt8], sink: inout DiagnosticSink) {
        // Most files need no change: take them as they are, finding only the line starts.
        if let starts = Self.lineStartsIfClean(raw) {
            bytes = raw
            lineStarts = starts
            return
        }
        var normaliser = Normaliser(raw: raw)
        normaliser.run(sink: &sink)
        bytes = normaliser.out
        lineStarts = normaliser.starts
    }

    /// The slow path of `init`: copies the bytes without BOM and CR of CRLF, reporting and replacing
    /// NUL, lone CR and invalid UTF-8.
    private struct Normaliser {
        let raw: [UInt8]
        var out: [UInt8] = []
        var starts = LineStarts(lines: 0)
        /// The current line (1-based) and the offset in `raw` where it starts.
        var line = 1
        var lineStartRaw = 0
        var nul = ByteFindingCount(rule: "nul-byte", what: "NUL bytes")
        var badUTF8 = ByteFindingCount(rule: "invalid-utf8", what: "invalid UTF-8 bytes")
        var loneCR = ByteFindingCount(rule: "lone-cr", what: "lone carriage returns")

        init(raw: [UInt8]) {
            self.raw = raw
            out.reserveCapacity(raw.count)
            starts = LineStarts(lines: raw.withUnsafeBufferPointer { ByteWords.count(of: 0x0A, in: $0) } + 1)
        }

        /// Where byte `offset` of `raw` is, for a finding.
        private func place(_ offset: Int) -> (line: Int, column: Int) { (line, offset - lineStartRaw + 1) }

        mutating func run(sink: inout DiagnosticSink) {
            var i = 0
            let n = raw.count
            if n >= 3 && raw[0] == 0xEF && raw[1] == 0xBB && raw[2] == 0xBF {
                i = 3
                lineStartRaw = 3
            }
            while i < n {
                // Copy a run of ordinary printable ASCII (and tabs) in one go.
                var j = i
                while j < n, raw[j] >= 0x20 && raw[j] < 0x80 || raw[j] == 0x09 { j += 1 }
                if j > i {
                    out.append(contentsOf: raw[i..<j])
                    i = j
                    continue
                }
                if raw[i] < 0x80 {
                    copyControlByte(at: i, sink: &sink)
                    i += 1
                } else {
                    i += copySequence(at: i, sink: &sink)
                }
            }
            nul.reportUnlisted(into: &sink)
            badUTF8.reportUnlisted(into: &sink)
            loneCR.reportUnlisted(into: &sink)
        }

        /// An ASCII byte other than a tab or a printable one: LF starts a line, the CR of CRLF is dropped,
        /// a lone CR becomes a space and NUL a `?`.
        private mutating func copyControlByte(at i: Int, sink: inout DiagnosticSink) {
            let b = raw[i]
            switch b {
            case 0x0A:
                out.append(0x0A)
                line += 1
                lineStartRaw = i + 1
                starts.append(UInt32(out.count))
            case 0x0D:
                if i + 1 < raw.count && raw[i + 1] == 0x0A {
                    // CRLF: keep only the LF (handled on the next byte).
                } else {
                    let at = place(i)
                    if loneCR.add(at: at) {
                        sink.error(
                            "lone-cr", line: at.line, column: at.column,
                            "carriage return without a line feed at byte offset \(i); editors and cmark disagree on where lines end here. Convert the file to LF (or CRLF) line endings"
                        )
                    }
                    out.append(0x20)
                }
            case 0x00:
                let at = place(i)
                if nul.add(at: at) {
                    sink.error(
                        "nul-byte", line: at.line, column: at.column,
                        "NUL byte at byte offset \(i); cmark would silently replace it, so the file would not run as written. Remove it")
                }
                out.append(0x3F)
            default:
                out.append(b)
            }
        }

        /// Copies the UTF-8 sequence at `i` (lead byte >= 0x80), or reports it and writes `?` when it is invalid;
        /// returns how many bytes of `raw` it took.
        private mutating func copySequence(at i: Int, sink: inout DiagnosticSink) -> Int {
            let length = SourceText.validSequenceLength(raw, at: i)
            guard length > 0 else {
                let at = place(i)
                if badUTF8.add(at: at) {
                    sink.error(
                        "invalid-utf8", line: at.line, column: at.column,
                        "invalid UTF-8 byte 0x\(hexByte(raw[i])) at byte offset \(i); runbooks must be UTF-8. Re-save the file as UTF-8")
                }
                out.append(0x3F)
                return 1
            }
            out.append(contentsOf: raw[i..<(i + length)])
            return length
        }
    }

    /// Counts the findings of one byte-level kind: the first `reportLimit` are listed, the rest summed up in one.
    private struct ByteFindingCount {
        let rule: String
        /// What is counted, plural (`NUL bytes`).
        let what: String
        var count = 0
        var firstUnlisted: (line: Int, column: Int)?

        /// Counts one more at `place`; returns whether it is to be listed on its own.
        mutating func add(at place: (line: Int, column: Int)) -> Bool {
            count += 1
            if count == SourceText.reportLimit + 1 { firstUnlisted = place }
            return count <= SourceText.reportLimit
        }

        /// One finding, where the first unlisted one is, for all those not listed.
        func reportUnlisted(into sink: inout DiagnosticSink) {
            if count > SourceText.reportLimit, let place = firstUnlisted {
                sink.error(
                    rule, line: place.line, column: place.column,
                    "\(count - SourceText.reportLimit) more \(what) from here on, not listed one by one (\(count) in all)")
            }
        }
    }

    /// The line starts of `raw` when it needs no normalisation and has nothing to report:
    /// no BOM, CR or NUL, and valid UTF-8. Nil otherwise.
    private static func lineStartsIfClean(_ raw: [UInt8]) -> LineStarts? {
        if raw.count >= 3 && raw[0] == 0xEF && raw[1] == 0xBB && raw[2] == 0xBF { return nil }
        return raw.withUnsafeBufferPointer { buffer -> LineStarts? in
            // Counted first, so the array is made once at its size (grown, it held about twice that at its peak).
            var starts = LineStarts(lines: ByteWords.count(of: 0x0A, in: buffer) + 1)
            let n = buffer.count
            var i = 0
            while i < n {
                // Eight ASCII bytes at a time: the common case.
                if i + 8 <= n {
                    let word = ByteWords.load(buffer, at: i)
                    if !ByteWords.hasNonASCII(word) {
                        if ByteWords.matches(word, 0x00) | ByteWords.matches(word, 0x0D) != 0 { return nil }  // NUL or CR
                        var newlines = ByteWords.matches(word, 0x0A)
                        while newlines != 0 {
                            starts.append(UInt32(i + ByteWords.firstOffset(newlines) + 1))
                            newlines &= newlines - 1  // clear the lowest
                        }
                        i += 8
                        continue
                    }
                }
                // One byte (or one UTF-8 sequence) at a time.
                let b = buffer[i]
                if b >= 0x80 {
                    let length = validSequenceLength(buffer, at: i)
                    guard length > 0 else { return nil }  // invalid UTF-8: reported on the slow path
                    i += length
                    continue
                }
                if b == 0x0A {
                    starts.append(UInt32(i + 1))
                } else if b == 0x00 || b == 0x0D {
                    return nil  // reported or normalised on the slow path
                }
                i += 1
            }
            return starts
        }
    }

    /// Length of the valid UTF-8 sequence starting at `i` (lead byte >= 0x80), or 0 when invalid.
    private static func validSequenceLength(_ raw: [UInt8], at i: Int) -> Int {
        raw.withUnsafeBufferPointer { validSequenceLength($0, at: i) }
    }

    private static func validSequenceLength(_ raw: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let b0 = raw[i]
        let n = raw.count
        func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            i + k < n && raw[i + k] >= lo && raw[i + k] <= hi
        }
        switch b0 {
        case 0xC2...0xDF: return cont(1) ? 2 : 0
        case 0xE0: return cont(1, 0xA0) && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return cont(1) && cont(2) ? 3 : 0
        case 0xED: return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0
        case 0xF0: return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4: return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }

    /// Number of lines (a final line without LF counts; an empty last line after a final LF does not).
    var lineCount: Int {
        Int(lineStarts.last) == bytes.count ? lineStarts.count - 1 : lineStarts.count
    }

    /// Byte range of line `n` (1-based), without its LF.
    func lineRange(_ n: Int) -> Range<Int> {
        guard n >= 1 && n <= lineStarts.count else { return bytes.count..<bytes.count }
        return bytes.withUnsafeBufferPointer { buffer in
            let start = lineStarts.start(n - 1, in: buffer)
            // A line before the last ends at the LF that starts the next one.
            let end = n < lineStarts.count ? LineStarts.lineEnd(from: start, in: buffer) : buffer.count
            return start..<max(start, end)
        }
    }

    /// The bytes of line `n` (1-based), without its LF.
    func line(_ n: Int) -> ArraySlice<UInt8> { bytes[lineRange(n)] }

    /// Lines `first...last` as text, joined with LF.
    func text(lines first: Int, _ last: Int) -> String {
        String(decoding: bytes[textRange(lines: first, last)], as: UTF8.self)
    }

    /// Where `text(lines:_:)` stands in `bytes`: empty when there are no such lines.
    func textRange(lines first: Int, _ last: Int) -> Range<Int> {
        guard first <= last, first >= 1 else { return 0..<0 }
        let start = lineRange(first).lowerBound
        let end = lineRange(min(last, lineCount)).upperBound
        return start < end ? start..<end : 0..<0
    }
}

private let hexDigitsUpper: [Character] = Array("0123456789ABCDEF")
func hexByte(_ b: UInt8) -> String { String([hexDigitsUpper[Int(b >> 4)], hexDigitsUpper[Int(b & 0xF)]]) }
