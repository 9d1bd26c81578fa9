import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where an export is written: a file put in place atomically, or standard output.
public protocol ExportSink: AnyObject {
    /// Appends text.
    func write(_ text: String)
}

extension AtomicFileWriter: ExportSink {}

/// An `ExportSink` over an `OutputSink` (standard output), buffered in 64 KiB pieces.
public final class BufferedExportSink: ExportSink {
    private let output: any OutputSink
    private var buffer = ""

    /// Buffers what is written to `output`; call `flush` at the end.
    public init(_ output: any OutputSink) { self.output = output }

    /// Appends text.
    public func write(_ text: String) {
        buffer += text
        if buffer.utf8.count >= 1 << 16 { flush() }
    }

    /// Writes what is buffered.
    public func flush() {
        output.write(buffer)
        buffer = ""
    }
}

/// How much of each output file an export shows, which files it must not show, and what its
/// `runbook verify` line needs to find the run.
public struct ExportOptions: Sendable {
    /// Bytes of each recorded output file shown at most: the first and last halves.
    public var excerptBytes: Int
    /// Export a run whose journal or files fail verification (the export says so at the top).
    public var allowDamaged: Bool
    /// What the verify line adds after `runbook verify RUN --expect-head HEAD`: ` --state-dir DIR`
    /// when the run is not in the default place (`StateDirectory.option(environment:)`), else nothing.
    public var stateDirOption: String

    /// The default: 4 KiB of each output, damaged runs refused, the runs in the default place.
    public init(excerptBytes: Int = 4096, allowDamaged: Bool = false, stateDirOption: String = "") {
        self.excerptBytes = excerptBytes
        self.allowDamaged = allowDamaged
        self.stateDirOption = stateDirOption
    }
}

/// Reads, one at a time while an export is written, what it shows of the run folder's files.
struct RunFolderReader {
    let folder: String
    let options: ExportOptions
    /// Files that do not match the journal (their content is not shown).
    let suspect: [String: String]
    let copy: Runbook?

    init(_ export: RunExport, options: ExportOptions) {
        folder = export.folder
        self.options = options
        copy = export.copy
        var suspect: [String: String] = [:]
        for finding in export.journal.fileFindings where finding.kind != .unreferenced { suspect[finding.location] = finding.text }
        self.suspect = suspect
    }

    /// The excerpt of an attempt's output file: its head and tail, cut at line ends.
    func excerpt(_ output: OutputRef, interactive: Bool = false) -> OutputExcerpt {
        if let finding = suspect[output.location] {
            return OutputExcerpt(text: "", shownBytes: 0, cutBytes: 0, fileBytes: 0, withheld: "not shown: \(finding)")
        }
        let slice = output.offset.map { $0..<($0 + output.bytesKept) }
        let keep = max(options.excerptBytes, 0)
        // A few bytes are in the record itself (and so in the verified chain): read them there.
        let inline = output.inline.flatMap(base64Decoded).map { Self.capped($0, keep: keep) }
        guard let bytes = inline ?? readCapped(output.file, slice: slice, keep: keep) else {
            return OutputExcerpt(text: "", shownBytes: 0, cutBytes: 0, fileBytes: 0, withheld: "not shown: \(output.location) cannot be read")
        }
        let (head, tail, size) = bytes
        let cut = size - head.count - tail.count
        var text = Self.displayText(head)
        if cut > 0 {
            if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
            text += "[runbook export: \(cut) bytes of \(output.location) cut here; the record keeps \(size) bytes]\n"
        }
        text += Self.displayText(tail)
        var excerpt = OutputExcerpt(text: text, shownBytes: head.count + tail.count, cutBytes: cut, fileBytes: size, withheld: nil)
        if interactive {
            let cutLine = cut > 0 ? "\n[runbook export: \(cut) bytes cut here]\n" : ""
            excerpt.rendered = TerminalText.render(head) + cutLine + (tail.isEmpty ? "" : TerminalText.render(tail))
        }
        return excerpt
    }

    /// The first and last `keep / 2` bytes of a file in the run folder, or of `slice` of it (cut at
    /// a line end when one is near), and its size; all of it when it is no longer than `keep`.
    private func readCapped(_ relative: String, slice: Range<Int>?, keep: Int) -> (head: [UInt8], tail: [UInt8], size: Int)? {
        guard !relative.hasPrefix("/"), !relative.split(separator: "/").contains("..") else { return nil }
        let fd = open(folder + "/" + relative, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let whole = 0..<Int(info.st_size)
        let range = slice ?? whole
        guard range.upperBound <= whole.upperBound else { return nil }
        let size = range.count
        if size <= keep {
            guard let all = Self.pread(fd, at: range.lowerBound, count: size), all.count == size else { return nil }
            return (all, [], all.count)
        }
        guard let head = Self.pread(fd, at: range.lowerBound, count: keep / 2),
            let tail = Self.pread(fd, at: range.upperBound - keep / 2, count: keep / 2)
        else { return nil }
        return Self.atLineEnds(head, tail, size: size)
    }

    /// A head and a tail cut back to a line end when one is in their outer halves.
    private static func atLineEnds(_ head: [UInt8], _ tail: [UInt8], size: Int) -> (head: [UInt8], tail: [UInt8], size: Int) {
        var head = head
        var tail = tail
        if let newline = head.lastIndex(of: 0x0A), newline >= head.count / 2 { head.removeSubrange((newline + 1)...) }
        if let newline = tail.firstIndex(of: 0x0A), newline < tail.count / 2 { tail.removeSubrange(...newline) }
        return (head, tail, size)
    }

    /// The first and last `keep / 2` of `bytes`, as `readCapped` cuts a file.
    private static func capped(_ bytes: [UInt8], keep: Int) -> (head: [UInt8], tail: [UInt8], size: Int) {
        guard bytes.count > keep else { return (bytes, [], bytes.count) }
        return atLineEnds(Array(bytes.prefix(keep / 2)), Array(bytes.suffix(keep / 2)), size: bytes.count)
    }

    private static func pread(_ fd: Int32, at offset: Int, count: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress.map { $0 + done }, count - done, off_t(offset + done)) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { break }
            done += n
        }
        return Array(out[0..<done])
    }

    /// Bytes as text an export can show: lossy UTF-8, CR LF and lone CR as LF, other control
    /// characters (an escape sequence's ESC, …) as their visible control pictures (␛).
    static func displayText(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        var previousCR = false
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            let value = scalar.value
            if value == 0x0D {
                scalars.append("\n")
                previousCR = true
                continue
            }
            defer { previousCR = false }
            if value == 0x0A {
                if !previousCR { scalars.append(scalar) }
            } else if value == 0x09 {
                scalars.append(scalar)
            } else if value < 0x20, let picture = Unicode.Scalar(0x2400 + value) {
                scalars.append(picture)
            } else if value == 0x7F {
                scalars.append("\u{2421}")
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// The edited code an attempt ran, with its diff against the runbook copy's code.
    func editedCode(_ attempt: ExportAttempt, step: Step?) -> EditedCode? {
        guard let ref = attempt.editedCode else { return nil }
        var edited = EditedCode(attempt: attempt.attempt, file: ref.file, sha256: ref.sha256)
        if let finding = suspect[ref.file] {
            edited.withheld = "not shown: \(finding)"
        } else if ref.file.hasPrefix("/") || ref.file.split(separator: "/").contains("..") {
            edited.withheld = "not shown: the journal names a file outside the run folder"
        } else if let original = step?.code,
            case .bytes(let bytes) = (try? readRegularFile(folder + "/" + ref.file, limit: 1 << 20)) ?? .tooLarge(0)
        {
            edited.diff = lineDiff(original, String(decoding: bytes, as: UTF8.self))
        } else {
            edited.withheld = step?.code == nil ? "not shown: the runbook copy has no code for this step" : "not shown: \(ref.file) cannot be read"
        }
        return edited
    }
}

/// Words the three formats share.
enum ExportWords {
    /// The outcome as a reader says it.
    static func outcome(_ outcome: String) -> String {
        switch outcome {
        case "timed_out": return "timed out"
        case "not_run": return "not run"
        case "unknown": return "outcome unknown (started, no end recorded)"
        case "completed_with_failures": return "completed with failures"
        default: return outcome
        }
    }

    /// What ran instead of the step in a rehearsal (`rehearsed_by`), as a reader says it.
    static func rehearsedBy(_ value: String) -> String {
        switch value {
        case "rehearse-for": return "its rehearse-for block ran instead of the step (the step's own code did not run)"
        case "rehearse": return "its rehearse= command ran instead of the step (the step's own code did not run)"
        default: return "'\(value)' ran instead of the step"
        }
    }

    /// The line that names the journal an export was made from, found again by `verify --export`.
    static func marker(_ export: RunExport) -> String {
        "runbook-export: run=\(export.run.runId) records=\(export.journal.records) head=\(export.journal.head)"
    }

    /// `REGION=eu-west-1 (default)`, `API_TOKEN=[secret] (env)`.
    static func param(_ param: ParamValue) -> String {
        "\(param.name)=\(param.secret ? "[secret]" : param.value ?? "") (\(param.source))"
    }

    /// `2 ok, 1 skipped` from the steps' outcomes, in a fixed order.
    static func counts(_ outcomes: [String]) -> String {
        var tally: [String: Int] = [:]
        for outcome in outcomes { tally[outcome, default: 0] += 1 }
        return tally.keys.sorted().map { "\(tally[$0] ?? 0) \(outcome($0))" }.joined(separator: ", ")
    }

    /// What the header says about how the run ended.
    static func ending(_ run: RunFacts) -> String {
        var text = outcome(run.state)
        if let status = run.exitStatus { text += " (exit status \(status))" }
        if run.unfinished { text += ": UNFINISHED, the run has not ended (no run_end record)" }
        return text
    }

    /// `1 attempt · 5ms · exit 0` for a step.
    static func facts(_ step: ExportStep) -> [String] {
        var facts: [String] = []
        if step.status.attempts > 1 { facts.append("\(step.status.attempts) attempts") }
        if step.kind == "code" && step.status.attempts > 0 { facts.append(ExportTime.duration(step.status.durationMs)) }
        if let code = step.status.exitCode { facts.append("exit \(code)") }
        return facts
    }
}

/// The formats of `runbook export`.
public enum ExportFormat: String, CaseIterable, Sendable {
    /// The completed checklist.
    case markdown
    /// Structured data (docs/export.schema.json).
    case json
    /// One self-contained page.
    case html

    /// The format a file name's extension suggests (`.md`, `.json`, `.html`/`.htm`).
    public static func guess(fromPath path: String) -> ExportFormat? {
        let lower = path.lowercased()
        if lower.hasSuffix(".md") || lower.hasSuffix(".markdown") { return .markdown }
        if lower.hasSuffix(".json") { return .json }
        if lower.hasSuffix(".html") || lower.hasSuffix(".htm") { return .html }
        return nil
    }

    /// Writes `export` in this format to `sink`.
    public func write(_ export: RunExport, options: ExportOptions, to sink: any ExportSink) throws {
        switch self {
        case .markdown: MarkdownExport(export, options: options).write(to: sink)
        case .json: try JSONExport(export, options: options).write(to: sink)
        case .html: HTMLExport(export, options: options).write(to: sink)
        }
    }
}
