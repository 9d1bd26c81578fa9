/// `runbook export --format markdown`: the completed checklist. The runbook copy as it was
/// written, each step turned into a `- [x]`/`- [ ]` item with its outcome, who and when, its
/// attempts, notes and decisions, edited code as a diff and a capped output excerpt; a header
/// with the run's facts and a footer with the journal's head hash.
public struct MarkdownExport {
    let export: RunExport
    let reader: RunFolderReader

    /// A renderer of `export`.
    public init(_ export: RunExport, options: ExportOptions) {
        self.export = export
        reader = RunFolderReader(export, options: options)
    }

    /// Writes the whole document to `sink`, a step at a time.
    public func write(to sink: any ExportSink) {
        writeHeader(sink)
        writeBody(sink)
        writeFooter(sink)
    }

    private func writeHeader(_ sink: any ExportSink) {
        let run = export.run
        if export.isRehearsal { sink.write("# REHEARSAL\n\n**This is a rehearsal (`runbook run --dry-run`): no step's code was executed.**\n\n") }
        if run.unfinished {
            sink.write("# UNFINISHED RUN\n\n**The run has not ended (state: \(run.state)); this record stops at its last journal record.**\n\n")
        }
        let damage = export.damage
        if !damage.isEmpty {
            sink.write("# DAMAGED RECORD\n\n**Exported with --allow-damaged: the run does not verify. What is below may be incomplete or altered.**\n\n")
            for problem in damage { sink.write("- \(Self.escape(problem))\n") }
            sink.write("\n")
        }
        sink.write("# Run record: \(Self.escape(export.runbook.title ?? export.runbook.path))\n\n| | |\n|---|---|\n")
        var rows: [(String, String)] = [("Run", Self.code(run.runId)), ("Mode", run.mode), ("State", Self.escape(ExportWords.ending(run)))]
        if let incident = run.incident { rows.append(("Incident", Self.escape(incident))) }
        rows.append(("Operator", Self.escape("\(run.operatorName)@\(run.host)")))
        if !run.resumedBy.isEmpty { rows.append(("Resumed by", Self.escape(run.resumedBy.joined(separator: ", ")))) }
        rows.append(("Runbook", "\(Self.code(export.runbook.path)) (\(Self.code(export.runbook.realpath)))"))
        rows.append(("Runbook sha256", Self.code(export.runbook.sha256)))
        rows.append(("Started", run.started))
        rows.append(("Ended", run.ended ?? "not ended (last record \(run.lastRecord))"))
        if let ms = run.durationMs { rows.append(("Duration", ExportTime.duration(ms))) }
        rows.append(("Steps", "\(run.totalSteps): \(ExportWords.counts(export.outcomes))"))
        if !run.params.isEmpty { rows.append(("Params", Self.escape(run.params.map(ExportWords.param).joined(separator: ", ")))) }
        if !run.placeholders.isEmpty {
            rows.append(("Placeholders", Self.escape(run.placeholders.map(ExportWords.param).joined(separator: ", "))))
        }
        if let tool = run.tool { rows.append(("Tool", Self.escape(tool))) }
        for (name, value) in rows { sink.write("| \(name) | \(value.replacingOccurrences(of: "|", with: "\\|")) |\n") }
        sink.write("\n")
        if let problem = export.runbook.problem { sink.write("**\(Self.escape(problem)); the steps are listed from the journal alone.**\n\n") }
        for event in export.events { sink.write("> \(Self.event(event))\n>\n") }
        if !export.events.isEmpty { sink.write("\n") }
        sink.write("---\n\n")
    }

    private func writeFooter(_ sink: any ExportSink) {
        let journal = export.journal
        sink.write("\n---\n\n## Journal\n\n")
        sink.write("- journal: \(Self.code(journal.file))\n- records: \(journal.records)\n- head sha256: \(Self.code(journal.head))\n")
        sink.write("- verification: \(journal.ok ? "ok (the chain holds and every file matches)" : "FAILED")\n")
        if let torn = journal.tornTailBytes { sink.write("- a torn last record of \(torn) bytes (a crash mid-write) is not part of the record\n") }
        let verify = "runbook verify \(export.run.runId) --expect-head \(journal.head)\(reader.options.stateDirOption)"
        sink.write("\nCheck it with `\(verify)`.\n\n<!-- \(ExportWords.marker(export)) -->\n")
    }

    /// The runbook copy line by line (front matter left out), each step replaced by its item.
    private func writeBody(_ sink: any ExportSink) {
        guard let copy = export.copy else {
            export.forEachStep { writeStep($0, indent: "", original: nil, sink) }
            return
        }
        // Where each of the copy's steps starts, by line: met in that order as the lines are read.
        var starts: [(line: Int32, position: Int32)] = []
        starts.reserveCapacity(export.stepCount)
        for position in 0..<export.stepCount {
            if let index = export.copyIndex(at: position) { starts.append((Int32(copy.steps[index].line), Int32(position))) }
        }
        starts.sort { ($0.line, $0.position) < ($1.line, $1.position) }
        var nextStart = 0
        var lines = LineCursor(copy.rawBytes)
        lines.skipFrontMatter()
        var pending: [(end: Int, step: ExportStep, indent: String)] = []
        // Each generated block ends with a blank line; a blank source line right after one is dropped.
        var afterBlank = true
        while let line = lines.next() {
            let number = lines.lineNumber
            if let position = Self.step(startingAt: number, in: starts, after: &nextStart) {
                let step = export.step(at: position)
                if let source = step.step, source.kind == .code {
                    let indent = String(line.prefix { $0 == " " })
                    var block = [line]
                    while lines.lineNumber < source.endLine, let next = lines.next() { block.append(next) }
                    writeStep(step, indent: indent, original: block.map { String($0.dropFirst(min(indent.count, $0.prefix { $0 == " " }.count))) }, sink)
                    afterBlank = true
                } else {
                    let (ticked, content) = Self.ticked(line, done: step.isDone)
                    sink.write(ticked + "\n")
                    pending.append((step.step?.endLine ?? number, step, content))
                    afterBlank = false
                }
            } else if !(line.isEmpty && afterBlank) {
                sink.write(line + "\n")
                afterBlank = line.isEmpty
            }
            for item in pending where item.end <= lines.lineNumber {
                writeDetails(item.step, indent: item.indent, separated: afterBlank, sink)
                afterBlank = true
            }
            pending.removeAll { $0.end <= lines.lineNumber }
        }
        for item in pending { writeDetails(item.step, indent: item.indent, separated: afterBlank, sink) }
        var heading = false
        for position in 0..<export.stepCount where export.copyIndex(at: position) == nil {
            if !heading { sink.write("\n## Steps the journal records that the runbook copy does not have\n\n") }
            heading = true
            writeStep(export.step(at: position), indent: "", original: nil, sink)
        }
    }

    /// The position of the step that starts at `line` (the last of them, should two start there),
    /// moving `next` past it in `starts`; nil when none does. Lines are asked for in order.
    private static func step(startingAt line: Int, in starts: [(line: Int32, position: Int32)], after next: inout Int) -> Int? {
        var found: Int?
        while next < starts.count, starts[next].line <= line {
            if starts[next].line == line { found = Int(starts[next].position) }
            next += 1
        }
        return found
    }

    /// A code step (or a step only the journal knows): its item line, its code, then its details.
    private func writeStep(_ step: ExportStep, indent: String, original: [String]?, _ sink: any ExportSink) {
        let title = step.title.map { ": " + Self.escape($0) } ?? ""
        let number = step.number.map { "Step \($0) " } ?? "Step "
        sink.write("\(indent)- [\(step.isDone ? "x" : " ")] \(number)\(Self.code(step.key))\(title)\n")
        if let original {
            sink.write("\n")
            for line in original { sink.write(line.isEmpty ? "\n" : "\(indent)  \(line)\n") }
        }
        writeDetails(step, indent: indent + "  ", separated: false, sink)
    }

    /// The outcome line, then attempts, edited code, output excerpts, decisions and notes.
    private func writeDetails(_ step: ExportStep, indent: String, separated: Bool, _ sink: any ExportSink) {
        var line = "**\(ExportWords.outcome(step.status.outcome))**"
        if let reason = step.reason, ["skipped", "done"].contains(step.status.outcome) { line += ": " + Self.escape(reason) }
        let facts = ExportWords.facts(step)
        if !facts.isEmpty { line += " · " + facts.joined(separator: " · ") }
        if let ended = step.ended ?? step.started { line += " · \(ended)" }
        if let who = step.who { line += " by " + Self.escape(who) }
        sink.write((separated ? "" : "\n") + "\(indent)\(line)\n")
        if let error = step.error { sink.write("\n\(indent)error: \(Self.escape(error))\n") }
        if let recorded = step.recordedCodeSHA256, let current = step.step?.codeSHA256, recorded != current {
            sink.write("\n\(indent)The code that ran (sha256 \(Self.code(recorded))) is not the code shown here: the runbook changed after it ran.\n")
        }
        for attempt in step.attempts { writeAttempt(attempt, step: step, indent: indent, sink) }
        for event in step.status.events { sink.write("\n\(indent)> \(Self.event(event))\n") }
        sink.write("\n")
    }

    private func writeAttempt(_ attempt: ExportAttempt, step: ExportStep, indent: String, _ sink: any ExportSink) {
        guard step.kind == "code" else { return }
        var facts = ["attempt \(attempt.attempt): \(ExportWords.outcome(attempt.status ?? "unknown"))"]
        if let code = attempt.exitCode { facts.append("exit \(code)") }
        if let signal = attempt.signal { facts.append("signal \(signal)") }
        if let ms = attempt.durationMs { facts.append(ExportTime.duration(ms)) }
        if attempt.timedOut == true { facts.append("timed out") }
        facts.append("started \(attempt.started)")
        sink.write("\n\(indent)- \(facts.joined(separator: " · "))\n")
        let inner = indent + "  "
        if let error = attempt.error { sink.write("\n\(inner)error: \(Self.escape(error))\n") }
        if let by = attempt.rehearsedBy { sink.write("\n\(inner)rehearsal: \(Self.escape(ExportWords.rehearsedBy(by)))\n") }
        for finding in attempt.findings ?? [] { sink.write("\n\(inner)finding: \(Self.escape(finding))\n") }
        if let leftovers = attempt.leftovers, !leftovers.isEmpty {
            sink.write("\n\(inner)left behind and killed: \(Self.escape(leftovers.map { "\($0.command) (pid \($0.pid))" }.joined(separator: ", ")))\n")
        }
        if let edited = reader.editedCode(attempt, step: step.step) {
            sink.write("\n\(inner)edited before it ran: \(Self.code(edited.file)) (sha256 \(Self.code(edited.sha256)))\n")
            if let diff = edited.diff { Self.fenced(diff.joined(separator: "\n") + "\n", info: "diff", indent: inner, sink) }
            if let withheld = edited.withheld { sink.write("\n\(inner)\(Self.escape(withheld))\n") }
        }
        if let output = attempt.output { writeOutput(output, indent: inner, interactive: attempt.interactive == true, sink) }
    }

    private func writeOutput(_ output: OutputRef, indent: String, interactive: Bool, _ sink: any ExportSink) {
        var about = "output: \(Self.code(output.location)), \(output.bytesTotal) bytes written"
        if output.bytesDropped > 0 { about += ", \(output.bytesDropped) dropped when it was recorded (the record keeps the first and last 256 KiB)" }
        if output.masked > 0 { about += ", \(output.masked) secret occurrence\(output.masked == 1 ? "" : "s") masked" }
        sink.write("\n\(indent)\(about)\n")
        let excerpt = reader.excerpt(output, interactive: interactive)
        if let withheld = excerpt.withheld {
            sink.write("\n\(indent)\(Self.escape(withheld))\n")
        } else if let rendered = excerpt.rendered {
            sink.write("\n\(indent)as the terminal finally showed it (the record keeps every byte):\n")
            Self.fenced(rendered + "\n", info: "text", indent: indent, sink)
        } else if excerpt.fileBytes > 0 {
            Self.fenced(excerpt.text, info: "text", indent: indent, sink)
        }
    }

    // MARK: Markdown text

    /// A task item's line with its box ticked or not, and the indentation of its content.
    static func ticked(_ line: String, done: Bool) -> (String, String) {
        guard let open = line.range(of: "["), line.distance(from: line.startIndex, to: open.lowerBound) < line.count - 2 else { return (line, "  ") }
        let box = line.index(open.lowerBound, offsetBy: 1)
        var out = line
        out.replaceSubrange(box...box, with: done ? "x" : " ")
        return (out, String(repeating: " ", count: line.distance(from: line.startIndex, to: open.lowerBound)))
    }

    /// A fenced block whose fence is longer than any run of backticks in `text`.
    static func fenced(_ text: String, info: String, indent: String, _ sink: any ExportSink) {
        var longest = 0
        var run = 0
        for character in text.utf8 {
            run = character == UInt8(ascii: "`") ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        sink.write("\n\(indent)\(fence)\(info)\n")
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0) {
            sink.write("\(indent)\(line)\n")
        }
        sink.write("\(indent)\(fence)\n")
    }

    /// Inline code that survives backticks in `text`.
    static func code(_ text: String) -> String {
        text.contains("`") ? "`` \(text) ``" : "`\(text)`"
    }

    /// Text from the journal (reasons, notes) with Markdown's punctuation escaped, on one line.
    static func escape(_ text: String) -> String {
        let special = Set("\\`*_[]<>#|&~\n\r".utf8)
        if !text.utf8.contains(where: special.contains) { return text }
        var out = ""
        for character in text {
            if "\\`*_[]<>#|&~".contains(character) { out.append("\\") }
            out.append(character == "\n" || character == "\r" ? " " : character)
        }
        return out
    }

    /// `2026-… root@vm decided skip: reason` for a decision or a note.
    static func event(_ event: RunStatus.Event) -> String {
        let what = event.kind == "decision" ? "decided **\(event.choice ?? "?")**" : "**\(event.kind)**"
        return "\(event.ts) \(escape(event.who)) \(what)\(event.text.map { ": " + escape($0) } ?? "")"
    }
}

/// The lines of a file's bytes one at a time (LF or CR LF), without splitting it all at once.
struct LineCursor {
    private let bytes: [UInt8]
    private var offset = 0
    /// The number of the line `next` returned last (1-based).
    private(set) var lineNumber = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The next line without its line end; nil at the end (a file ending in LF has no empty last line).
    mutating func next() -> String? {
        guard offset < bytes.count else { return nil }
        var end = offset
        while end < bytes.count && bytes[end] != 0x0A { end += 1 }
        var last = end
        if last > offset && bytes[last - 1] == 0x0D { last -= 1 }
        let line = String(decoding: bytes[offset..<last], as: UTF8.self)
        offset = end + 1
        lineNumber += 1
        return line
    }

    /// Moves past a front matter block (`---` … `---` or `...`) at the very start, if there is one.
    mutating func skipFrontMatter() {
        var probe = self
        guard probe.next() == "---" else { return }
        while let line = probe.next() {
            if line == "---" || line == "..." {
                self = probe
                return
            }
        }
    }
}
