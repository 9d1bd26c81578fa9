import Foundation

/// One run, step by step, as `runbook status` shows it: each step's final outcome, attempts,
/// durations and output sizes, and who decided or noted what, when.
public struct RunStatus: Encodable, Sendable {
    /// A decision or a note on a step (or on the run).
    public struct Event: Encodable, Sendable, Equatable {
        /// When it was recorded.
        public var ts: String
        /// Who was operating the run then (`user@host`).
        public var who: String
        /// `decision` or `note`.
        public var kind: String
        /// The decision (`run`, `skip`, `retry`, `abort`, `pause`, `keep`, `rerun`, `matched`, `removed`, …).
        public var choice: String?
        /// The reason given, or the note's text.
        public var text: String?
    }

    /// One step.
    public struct StepStatus: Encodable, Sendable {
        /// Its key.
        public var key: String
        /// Its number in the run's runbook, when it is there.
        public var number: Int?
        /// Its title, when the run's runbook copy could be read.
        public var title: String?
        /// `ok`, `failed`, `timed_out`, `interrupted`, `skipped`, `done`, `unknown` (started, no end), `not_run`, `removed`.
        public var outcome: String
        /// Attempts made.
        public var attempts: Int
        /// Milliseconds all its attempts ran.
        public var durationMs: Int
        /// Bytes of output all its attempts wrote.
        public var outputBytes: Int
        /// The last exit code.
        public var exitCode: Int32?
        /// Its decisions and notes, in order.
        public var events: [Event]

        enum CodingKeys: String, CodingKey {
            case key, number, title, outcome, attempts, events
            case durationMs = "duration_ms"
            case outputBytes = "output_bytes"
            case exitCode = "exit_code"
        }
    }

    /// Always `runbook-status`.
    public var format = "runbook-status"
    /// The format's version.
    public var version = 1
    /// The run as `runbook runs` lists it (state, counts, times).
    public var run: RunSummary
    /// Its steps: those of the run's runbook in order, then any other key the journal knows.
    public var steps: [StepStatus]
    /// Decisions and notes on the run as a whole.
    public var events: [Event]

    /// The status of the run whose journal verified as `records`, in `summary`'s folder.
    public init(summary: RunSummary, records: [JournalRecord]) {
        var collector = StatusCollector()
        for record in records { collector.add(record) }
        let titles = collector.snapshot.map { StepTitle.read(summary.dir + "/" + $0) } ?? []
        self.init(summary: summary, titles: titles, collector: collector)
    }

    /// The status of the run whose journal is `journal` (its folder's runs are in `state`), the
    /// journal streamed once (never held whole) into both the run's summary and its steps'
    /// statuses; also returns what verifying it found. Nil when the journal cannot be read or has
    /// no run_start. The runbook copy `run_start` names is parsed before the journal is read and
    /// only each step's key, number and title are kept of it, so the parsed runbook and the
    /// steps' statuses are never in memory together (the copy a resume switched to, when there
    /// is one, is parsed after).
    public static func read(journal: String, state: StateDirectory) -> (RunStatus, JournalVerification)? {
        let dir = RunFileCheck.folder(ofJournal: journal)
        let first = RunCatalog.runStart(ofJournal: journal)?.runbook?.snapshot ?? "runbook.md"
        var titles = StepTitle.read(dir + "/" + first)
        var builder = RunHistory.Builder()
        var collector = StatusCollector()
        guard
            let verification = try? JournalVerifier.scan(
                path: journal,
                visit: {
                    builder.add($0)
                    collector.add($0)
                }),
            let summary = RunCatalog(state: state).summary(of: builder, verification: verification, dir: dir)
        else { return nil }
        if let latest = collector.snapshot, latest != first { titles = StepTitle.read(dir + "/" + latest) }
        return (RunStatus(summary: summary, titles: titles, collector: collector), verification)
    }

    private init(summary: RunSummary, titles: [StepTitle], collector: StatusCollector) {
        run = summary
        var steps: [StepStatus] = []
        // Made at its size: grown by doubling, the old and the new buffer of a 33,333-step run's
        // statuses were alive together (10 of a 18 MB heap).
        steps.reserveCapacity(max(titles.count, collector.keys.count))
        var seen = Set<String>()
        seen.reserveCapacity(titles.count)
        for step in titles {
            seen.insert(step.key)
            var status = collector.status(of: step.key) ?? StepStatus.empty(step.key)
            status.number = step.number
            status.title = step.title
            steps.append(status)
        }
        for position in collector.keys.indices where !seen.contains(collector.keys[position]) { steps.append(collector.status(at: position)) }
        self.steps = steps
        events = collector.runEvents
    }

    /// The human form.
    public func text(style: Style) -> String {
        var out = style.bold("Run \(run.runId)") + "  \(run.state)  \(run.stepsRecorded)/\(run.totalSteps) steps done\n"
        out += "runbook: \(run.runbook)\nstarted \(run.started) by \(run.operatorName)"
        if let ended = run.ended { out += ", ended \(ended)" }
        if let incident = run.incident { out += ", incident \(incident)" }
        out += "\n"
        for event in events { out += "    " + Self.line(event) + "\n" }
        for step in steps {
            // While the runner lives, the step it is in runs: its outcome is not unknown yet.
            let live = run.state == "running" && step.outcome == "unknown"
            let mark =
                live
                ? "▸" : StepEndStatus.succeeded.contains(step.outcome) ? "✔" : step.outcome == "skipped" ? "↷" : step.outcome == "not_run" ? "·" : "✘"
            var facts = ["\(step.attempts) attempt\(step.attempts == 1 ? "" : "s")"]
            if step.durationMs > 0 || step.attempts > 0 { facts.append(formatDuration(Double(step.durationMs) / 1000)) }
            if step.outputBytes > 0 { facts.append("\(step.outputBytes) B output") }
            if let code = step.exitCode { facts.append("exit \(code)") }
            let number = step.number.map { String($0) } ?? "-"
            let shown = live ? "running" : step.outcome
            let outcome = shown + String(repeating: " ", count: max(1, 12 - shown.count))
            out +=
                "\(number.count < 3 ? String(repeating: " ", count: 3 - number.count) : "")\(number) \(mark) \(outcome)\(step.key)  \(style.dim(facts.joined(separator: ", ")))\n"
            for event in step.events { out += "      " + Self.line(event) + "\n" }
        }
        return out
    }

    private static func line(_ event: Event) -> String {
        let what = event.kind == "decision" ? "decided \(event.choice ?? "?")" : "note"
        return "\(event.ts) \(event.who) \(what)\(event.text.map { ": \($0)" } ?? "")"
    }
}

/// What status shows of a step of the run's runbook copy.
private struct StepTitle {
    var key: String
    var number: Int
    var title: String

    /// The steps of the runbook copy at `path`, in order; none when it cannot be read.
    static func read(_ path: String) -> [StepTitle] {
        guard let runbook = try? RunbookParser.parse(path: path) else { return [] }
        return runbook.steps.map { StepTitle(key: $0.key, number: $0.number, title: $0.title) }
    }
}

extension RunStatus.StepStatus {
    static func empty(_ key: String) -> Self {
        Self(key: key, number: nil, title: nil, outcome: "not_run", attempts: 0, durationMs: 0, outputBytes: 0, exitCode: nil, events: [])
    }
}
