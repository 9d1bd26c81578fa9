/// What the operator sees of a run: the header, each step before it runs, its result, the summary.
struct Screen {
    /// How many steps not reached the summary names (the rest it counts).
    static let notReachedListed = 8

    let console: Console
    let runbook: Runbook
    var style: Style { console.style }

    /// Writes a line (a newline is added).
    func line(_ text: String) { console.print(text + "\n") }

    /// A warning, in yellow, broken between words to fit the window (`say`).
    func warn(_ text: String) { say(text, style.yellow) }

    /// Plain text (no escapes), each of its lines broken between words to fit the window (never
    /// inside a word; not at all when the output is not a terminal) and painted with `paint`; the
    /// lines a break makes start with `indent`.
    func say(_ text: String, _ paint: @escaping (String) -> String = { $0 }, indent: String = "") {
        say([(text, paint)], indent: indent)
    }

    /// Stretches of plain text painted differently, one space between them, broken between words
    /// to fit the window: "Resuming run X" in bold and "(started …)" plain, for instance.
    func say(_ stretches: [(text: String, paint: (String) -> String)], indent: String = "") {
        // The words of each line, with the stretch each is from; a newline in a stretch ends a line.
        var lines: [[(word: Substring, stretch: Int)]] = [[]]
        for (index, stretch) in stretches.enumerated() {
            for (number, text) in stretch.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if number > 0 { lines.append([]) }
                lines[lines.count - 1] += text.split(separator: " ", omittingEmptySubsequences: false).map { ($0, index) }
            }
        }
        for words in lines {
            let ranges = console.wrapWidth.map { wrapRanges(words.map(\.word.count), width: $0, indent: indent.count) } ?? [words.indices]
            for (number, range) in ranges.enumerated() {
                // Words of one stretch in a row are painted together.
                var painted: [String] = []
                var start = range.lowerBound
                while start < range.upperBound {
                    let stretch = words[start].stretch
                    let end = words[start..<range.upperBound].firstIndex { $0.stretch != stretch } ?? range.upperBound
                    painted.append(stretches[stretch].paint(words[start..<end].map(\.word).joined(separator: " ")))
                    start = end
                }
                line((number == 0 ? "" : indent) + painted.joined(separator: " "))
            }
        }
    }

    /// The run's header: title, runbook and hash, run id, operator, mode, params, step count.
    func header(runId: String, operatorName: String, incident: String?, params: [ResolvedParam], assumeYes: Bool, rehearsal: Bool) {
        if rehearsal {
            line(style.bold(style.yellow("REHEARSAL — nothing runs: each step is shown and checked (runbook run --dry-run)")))
        }
        line(style.bold("▶ \(runbook.title ?? runbook.path)"))
        if let description = runbook.description?.trimmingSpaces(), !description.isEmpty {
            for text in wrapped(description.split(separator: " ").map(String.init)) { line(text) }
        }
        // Fields two spaces apart; a window too narrow for a line breaks it between fields, never inside one.
        for text in wrapped(["runbook: \(runbook.path) ", "sha256 \(runbook.sha256.prefix(12))"], indent: "  ") { line(text) }
        var fields = ["run: \(runId)", "operator: \(operatorName)", "mode: \(rehearsal ? "rehearsal" : "live")"]
        if let incident { fields.append("incident: \(incident)") }
        for text in wrapped(fields.indices.map { fields[$0] + ($0 < fields.count - 1 ? " " : "") }, indent: "  ") { line(text) }
        if !params.isEmpty {
            let shown = params.map { "\($0.param.name)=\($0.param.secret ? ($0.value.isEmpty ? "(empty)" : "[secret]") : $0.value)" }
            // One param per word: a window too narrow for the list breaks it between params, never inside one.
            for text in wrapped(shown, indent: "        ", first: "params: ") { line(text) }
        }
        line("steps: \(runbook.steps.count)\(assumeYes ? "  (--yes: running without asking)" : "")")
    }

    /// `words` in lines that fit the terminal (`Console.wrapped`).
    func wrapped(_ words: [String], indent: String = "", first: String = "") -> [String] {
        console.wrapped(words, indent: indent, first: first)
    }

    /// A step before it runs: heading, prose, code and attributes (or the task text). On a terminal,
    /// code taller than what is left of the window under the heading and prose is folded, so the
    /// heading, the prose and the question after it stay in view; returns whether it was.
    @discardableResult
    func step(_ step: Step, displayCode: String? = nil) -> Bool {
        let heading = "── step \(step.number)/\(runbook.steps.count): \(step.title)"
        // Broken between words to fit the window (a long title, a long key); one line when piped.
        let place = " [\(step.key)] line \(step.line)"
        console.print("\n")
        say([(heading, style.bold), (place, style.dim)], indent: "   ")
        var used = 1 + rows(heading + " " + place)
        if !step.prose.isEmpty && step.prose != step.title {
            let lines = proseLines(step.prose)
            for text in lines { line(text) }
            used += lines.reduce(0) { $0 + rows($1) }
        }
        guard step.kind == .code else {
            say("☐ \(step.title)", style.cyan, indent: "  ")
            return false
        }
        let attrs = step.attributes.written.filter { $0.key != "id" && $0.key != "name" }
        let attrText = attrs.map { a in a.value.map { "\(a.key)=\($0)" } ?? a.key }.joined(separator: " ")
        // Left for the code: the window less what is shown, the two fences, the attributes, the question.
        let left = window.map { $0.rows - used - 2 - (attrs.isEmpty ? 0 : rows(attrText)) - 1 }
        let folded = code(displayCode ?? step.code ?? "", language: step.language ?? "", fit: left)
        if !attrs.isEmpty { line(style.dim(attrText)) }
        return folded
    }

    /// The window's size when the output is a terminal.
    private var window: (rows: Int, cols: Int)? {
        guard console.terminal.outputIsTerminal, let size = console.terminal.size() else { return nil }
        return (Int(size.rows), Int(size.cols))
    }

    /// How many rows `text` (one line, no escapes) takes in the window.
    private func rows(_ text: String) -> Int {
        guard let cols = window?.cols, cols > 0 else { return 1 }
        return max(1, (text.count + cols - 1) / cols)
    }

    /// Prose that stands by itself in the runbook (an introduction, the end of a section), under
    /// the heading it stands in.
    func passage(_ passage: Passage) {
        let title = passage.section.map { runbook.sections[$0].title } ?? runbook.title ?? runbook.path
        let label = passage.endsSection ? "\(title) (end of section)" : title
        console.print("\n" + style.bold("── \(label)") + style.dim("  line \(passage.line)") + "\n")
        prose(passage.text)
    }

    /// Markdown prose as written (see `proseLines`).
    func prose(_ text: String) {
        for text in proseLines(text) { line(text) }
    }

    /// Markdown prose as written; on a terminal narrower than a paragraph's lines, that paragraph
    /// (plain text lines, not a list, quote, table, heading, fence or indented block) is re-wrapped
    /// between words so no word is cut at the window's edge.
    func proseLines(_ text: String) -> [String] {
        var out: [String] = []
        var paragraph: [String] = []
        var inFence = false
        func flush() {
            guard !paragraph.isEmpty else { return }
            let tooWide = window.map { window in paragraph.contains { $0.count > window.cols - 1 } } ?? false
            out += tooWide ? wrapped(paragraph.flatMap { $0.split(separator: " ").map(String.init) }) : paragraph
            paragraph.removeAll()
        }
        for text in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = text.trimmingSpaces()
            let fence = trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~")
            if fence { inFence.toggle() }
            if fence || inFence || trimmed.isEmpty || Self.keepsItsLines(text) {
                flush()
                out.append(text)
            } else {
                paragraph.append(text)
            }
        }
        flush()
        return out
    }

    /// A line that is not plain paragraph text: indented, a list item, a quote, a table row, a heading.
    private static func keepsItsLines(_ text: String) -> Bool {
        guard let first = text.first else { return true }
        if " \t>|#".contains(first) { return true }
        if ["- ", "* ", "+ "].contains(where: text.hasPrefix) { return true }
        let digits = text.prefix { $0.isNumber }
        return !digits.isEmpty && (text.dropFirst(digits.count).hasPrefix(". ") || text.dropFirst(digits.count).hasPrefix(") "))
    }

    /// Code in a fence; with `fit` rows for it, code taller than that shows only its first lines
    /// and says how much is not shown and how to read it all (`v`). Returns whether it was folded.
    @discardableResult
    func code(_ code: String, language: String, fit: Int? = nil) -> Bool {
        line(style.dim("```\(language)"))
        defer { line(style.dim("```")) }
        let lines = code.split(separator: "\n", omittingEmptySubsequences: false).dropLast(code.hasSuffix("\n") ? 1 : 0).map(String.init)
        let total = lines.reduce(0) { $0 + rows($1) }
        guard let fit, total > fit else {
            console.print(style.cyan(code.hasSuffix("\n") ? code : code + "\n"))
            return false
        }
        // One row goes to the notice; at least a few lines of code are always shown.
        var shown = 0
        var used = 0
        while shown < lines.count && (used + rows(lines[shown]) <= fit - 1 || shown < 3) {
            used += rows(lines[shown])
            shown += 1
        }
        console.print(style.cyan(lines[..<shown].joined(separator: "\n") + "\n"))
        line(style.yellow("✂ \(lines.count - shown) more lines of code not shown (\(shown + 1)–\(lines.count)): press v to read all \(lines.count)"))
        return true
    }

    /// A code step's result: status, exit code or signal, duration, and everything it left to know.
    func result(_ step: Step, outcome: StepOutcome, status: String, output: OutputRef, exports: [ExportedVariable], timeout: String) {
        var parts: [String] = []
        if let code = outcome.exitCode { parts.append("exit \(code)") }
        if let sig = outcome.signal { parts.append("killed by SIG\(signalName(sig))") }
        parts.append(formatDuration(Double(outcome.durationMs) / 1000))
        let text = "\(status == "ok" ? "✔" : "✘") \(status.replacingOccurrences(of: "_", with: " ")) (\(parts.joined(separator: ", ")))"
        line(status == "ok" ? style.green(text) : style.red(text))
        if outcome.timedOut {
            line(style.red("timed out after \(timeout); sent \(outcome.signalsSent.joined(separator: ", ")) to the step's process group"))
        }
        if outcome.stoppedOnTerminal {
            line(style.red("the step tried to use the terminal and was stopped; mark it {interactive} in the runbook"))
        }
        if !outcome.leftovers.isEmpty {
            let list = outcome.leftovers.map { "\($0.command) (pid \($0.pid))" }.joined(separator: ", ")
            warn("killed \(outcome.leftovers.count) process(es) the step left running: \(list)")
        }
        if output.truncated {
            warn("output record cut: kept the first and last bytes, dropped \(output.bytesDropped) of \(output.bytesTotal) (\(output.location))")
        }
        if output.masked > 0 {
            warn("\(output.masked) secret value(s) masked in the output record")
        }
        if !exports.isEmpty {
            line(style.dim("exported for later steps: " + exports.map(\.name).joined(separator: ", ")))
        }
    }

    /// The report at the end of a run: each step with its final outcome, attempts, time, and for a
    /// failure its exit status and why; steps not reached are listed once. The key column is as
    /// wide as the widest key or folded stretch's first and last keys (at most 32), so the
    /// outcomes stand in one column: the rows are walked once for that width, then shown.
    func report(_ steps: StepLedger) {
        guard steps.anyReached else { return }
        var width = 0
        walkReport(steps) { entry in
            // A folded range too wide for the column stands out of it rather than widen every row.
            let keys = entry.keys.count
            if keys <= ReportEntry.widest { width = max(width, keys) }
        }
        width = min(ReportEntry.widest, width)
        console.print("\n" + style.bold("Steps") + "\n")
        walkReport(steps) { entry in
            switch entry {
            case .step(let row):
                line("  \(row.mark) " + entry.keys.padded(to: width) + "  " + row.text(style))
                // Why it failed, on a line of its own: a file:line and a command do not fit beside the rest.
                if let error = row.error { failure(error, indent: "      ") }
            case .folded(let first, _, let count):
                line("  \(first.mark) " + entry.keys.padded(to: width) + "  " + first.folded(count, style))
            }
        }
    }

    /// The end report's lines, in order: a step's own row, or a stretch of steps in a row alike
    /// that did not run in this process (not reached, skipped for one reason, finished earlier in
    /// this run) when there are enough of them to fold.
    private func walkReport(_ steps: StepLedger, _ visit: (ReportEntry) -> Void) {
        var stretch = Stretch<ReportRow>()
        func flush() {
            if stretch.folds, let first = stretch.first.first, let last = stretch.last {
                visit(.folded(first, last, stretch.count))
            } else {
                for row in stretch.first { visit(.step(row)) }
            }
            stretch.removeAll()
        }
        for step in runbook.steps {
            let row = reportRow(step, steps)
            if let last = stretch.last, row.alike == nil || row.alike != last.alike { flush() }
            if row.alike != nil {
                stretch.append(row)
                continue
            }
            visit(.step(row))
        }
        flush()
    }

    /// A step's line of the end report.
    private func reportRow(_ step: Step, _ steps: StepLedger) -> ReportRow {
        if steps.notReached(step.number) { return ReportRow(mark: "·", key: step.key, outcome: "not reached", facts: [], alike: "not reached") }
        guard let outcome = steps.outcome(step.number) else {
            // It ran here, but its end is not in the journal (the journal could not be written).
            let started = Int(steps[step.number].attempts)
            return ReportRow(mark: style.red("✘"), key: step.key, outcome: "outcome not recorded", facts: ["\(started) attempt\(started == 1 ? "" : "s")"])
        }
        let good = StepEndStatus.succeeded.contains(outcome)
        let mark = good ? style.green("✔") : outcome == "skipped" ? style.dim("↷") : style.red("✘")
        var facts: [String] = []
        let d = steps[step.number]
        // Attempts as the journal counts them (status and export say the same), those of the run
        // before this process said apart.
        let attempts = d.attemptsBefore + Int(d.attempts)
        if d.attempts > 0 {
            facts.append("\(attempts) attempt\(attempts == 1 ? "" : "s")" + (d.attemptsBefore > 0 ? " (\(d.attemptsBefore) earlier)" : ""))
        }
        if d.durationMs > 0 { facts.append(formatDuration(Double(d.durationMs) / 1000)) }
        if !good, let code = d.lastExitCode { facts.append("exit \(code)") }
        if !good, let signal = d.signal { facts.append("killed by SIG\(signal)") }
        if let reason = d.reason, outcome == "skipped" { facts.append(reason) }
        if d.shownEarlier { facts.append("earlier in this run") }
        var row = ReportRow(mark: mark, key: step.key, outcome: outcome.replacingOccurrences(of: "_", with: " "), facts: facts)
        if !good { row.error = d.error }
        // What ran in this process keeps its own line (its attempts and time), as does a failure
        // to show; what finished earlier in the run, or was skipped unrun, may fold.
        let unrun = d.shownEarlier || (d.attempts == 0 && d.durationMs == 0)
        if row.error == nil && unrun && (good || outcome == "skipped") {
            row.alike = "\(outcome) \(d.reason ?? "") \(d.shownEarlier)"
            row.shared = (outcome == "skipped" ? d.reason.map { [$0] } ?? [] : []) + (d.shownEarlier ? ["earlier in this run"] : [])
        }
        return row
    }

    /// Why a step failed, in red; when it is wider than the window, what comes after its first
    /// `: ` (a command, a path) goes on a line of its own, further indented, so it is not cut mid-word.
    func failure(_ text: String, indent: String = "") {
        let width = console.terminal.outputIsTerminal ? console.terminal.size().map { Int($0.cols) } : nil
        guard let width, indent.count + text.count > width - 1, let colon = text.range(of: ": ") else {
            line(indent + style.red(text))
            return
        }
        line(indent + style.red(String(text[..<colon.lowerBound]) + ":"))
        line(indent + "  " + style.red(String(text[colon.upperBound...])))
    }

    /// The end of a run: headline, counts, journal, head hash.
    /// `notReached`: the keys of the first steps not reached (at most `notReachedListed`), of `notReachedCount`.
    func summary(headline: String, counts: [String: Int], notReached: [String], notReachedCount: Int, journal: JournalWriter, resume: String?) {
        var summary = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.replacingOccurrences(of: "_", with: " "))" }.joined(separator: ", ")
        if notReachedCount > 0 {
            let listed =
                notReached.prefix(Self.notReachedListed).joined(separator: ", ")
                + (notReachedCount > Self.notReachedListed ? ", … (\(notReachedCount - Self.notReachedListed) more)" : "")
            summary += (summary.isEmpty ? "" : "; ") + "\(notReachedCount) not reached: \(listed)"
        }
        // Broken between words to fit the window (a list of keys not reached runs long), later
        // lines indented; piped, one line as before.
        console.print("\n")
        say([(headline, style.bold), ("(\(summary.isEmpty ? "no steps" : summary))", { $0 })], indent: "  ")
        line("journal: \(journal.path)")
        line("records: \(journal.nextSeq)")
        line("head sha256: \(journal.headHash)")
        if let resume {
            // The command on a line of its own: a narrow window wraps it, but never mid-word after a label.
            line("the run can be resumed: its journal records every step so far. To resume it:")
            // Too wide for the window: broken before --state-dir with a backslash, still one command to paste.
            if let cols = window?.cols, resume.count + 2 > cols - 1, let option = resume.range(of: " --state-dir ") {
                line("  " + style.bold(String(resume[..<option.lowerBound]) + " \\"))
                line("    " + style.bold(String(resume[resume.index(after: option.lowerBound)...])))
            } else {
                line("  " + style.bold(resume))
            }
        }
    }
}

/// A line of the end report: one step's row, or a folded stretch (its first and last rows, how many).
private enum ReportEntry {
    case step(ReportRow)
    case folded(ReportRow, ReportRow, Int)

    /// The widest the key column grows.
    static let widest = 32

    /// What the key column shows: the step's key, or a stretch's first and last.
    var keys: String {
        switch self {
        case .step(let row): row.key
        case .folded(let first, let last, _): "\(first.key) … \(last.key)"
        }
    }
}

/// A step's line of the end report: its mark, key, outcome and the facts after it; `alike` is what
/// a step must share with its neighbours to be folded into one line with them (nil: never folded),
/// `shared` the facts such a line shows.
private struct ReportRow {
    var mark: String
    var key: String
    var outcome: String
    var facts: [String]
    var alike: String?
    var shared: [String] = []
    var error: String?

    init(mark: String, key: String, outcome: String, facts: [String], alike: String? = nil) {
        self.mark = mark
        self.key = key
        self.outcome = outcome
        self.facts = facts
        self.alike = alike
    }

    func text(_ style: Style) -> String {
        outcome == "not reached" ? style.dim(outcome) : (outcome + " ").padded(to: 12) + style.dim(facts.joined(separator: ", "))
    }

    /// The line of `count` such steps in a row: what they share, not one step's attempts or time.
    func folded(_ count: Int, _ style: Style) -> String {
        if outcome == "not reached" { return style.dim("not reached (\(count) steps)") }
        return outcome.padded(to: 12) + style.dim((["\(count) steps"] + shared).joined(separator: ", "))
    }
}
