import Foundation

/// A run as `runbook export` and `runbook diff` see it: the journal streamed once (verified, folded
/// step by step as `runbook status` folds it, never held whole), the run's runbook copy, and the
/// files of the run folder checked against the journal as `runbook verify` checks them.
///
/// A step's attempts are read again from the journal only when an export reaches that step
/// (`forEachStep`), and its output excerpts and edited code only then: memory stays flat however
/// many records the run has. Nothing comes from anywhere but the run folder: the journal and the
/// output files were masked when they were written.
public struct RunExport {
    /// The run's facts: who, where, when, how it ended.
    public var run: RunFacts
    /// The runbook the run ran and its copy in the run folder.
    public var runbook: RunbookFacts
    /// Decisions and notes on the run as a whole.
    public var events: [RunStatus.Event]
    /// The journal's verification: records, head hash, problems.
    public var journal: JournalFacts
    /// The parsed runbook copy (nil when it could not be read).
    public var copy: Runbook?
    /// The run folder.
    public var folder: String
    /// Every step: the copy's steps in order, then any other key the journal knows.
    let entries: [StepEntry]
    let collector: StatusCollector
    let index: JournalIndex
    /// `seq` of each step's `step_start`, `step_end` and `decision` records, by its position in `collector`.
    let records: RecordLists
    /// Who operated the run from each `seq` on (the run's starter, then each resumer).
    let operators: [(seq: Int, who: String)]

    /// Why the run's record cannot be trusted whole (the journal fails verification, a file does
    /// not match it); empty when it verifies.
    public var damage: [String] {
        var out: [String] = []
        if let problem = journal.problem { out.append("the journal fails verification: \(problem)") }
        out += journal.fileFindings.map(\.text)
        return out
    }

    /// Whether this is a rehearsal (`run --dry-run`): nothing was executed.
    public var isRehearsal: Bool { run.mode == "rehearsal" }

    /// Each step's outcome, in order.
    public var outcomes: [String] { entries.map { entry in entry.position.map { collector.status(at: $0).outcome } ?? "not_run" } }

    /// The steps in order, each with its attempts read again from the journal: one at a time.
    public func forEachStep(_ body: (ExportStep) throws -> Void) rethrows {
        for entry in entries { try body(step(entry)) }
    }

    /// Every step at once (`runbook diff`; an export goes through `forEachStep`).
    public var allSteps: [ExportStep] { entries.map(step) }

    /// How many steps there are.
    var stepCount: Int { entries.count }

    /// The index in `copy.steps` of the step at `position` in the order, when the copy has it.
    func copyIndex(at position: Int) -> Int? { entries[position].copyIndex }

    /// The step at `position` in the order.
    func step(at position: Int) -> ExportStep { step(entries[position]) }

    private func step(_ entry: StepEntry) -> ExportStep {
        let source = entry.copyIndex.flatMap { copy?.steps[$0] }
        let key = source?.key ?? entry.position.map { collector.keys[$0] } ?? ""
        var status = entry.position.map(collector.status(at:)) ?? .empty(key)
        if let source {
            status.number = source.number
            status.title = source.title
        }
        var detail = StepDetail()
        for seq in entry.position.map(records.seqs(of:)) ?? [] {
            guard let record = self.index.record(seq) else { continue }
            detail.add(record, who: operators.last { $0.seq <= seq }?.who ?? "?")
        }
        let section = source?.section.flatMap { at in copy?.sections.indices.contains(at) == true ? copy?.sections[at].title : nil }
        return ExportStep(
            key: key, step: source, section: section, status: status, attempts: detail.attempts, reason: detail.reason, error: detail.error,
            started: detail.started, ended: detail.ended, who: detail.who, kind: source?.kind.rawValue ?? detail.kind,
            recordedCodeSHA256: detail.recordedCodeSHA256)
    }
}

/// Who ran what, where, when, and how it ended.
public struct RunFacts: Encodable, Sendable {
    /// The run id.
    public var runId: String
    /// `live` or `rehearsal`.
    public var mode: String
    /// `completed`, `completed_with_failures`, `aborted`, `paused`, `interrupted`, `running` or `damaged`.
    public var state: String
    /// Whether the run has not ended (no `run_end`).
    public var unfinished: Bool
    /// The incident or ticket id.
    public var incident: String?
    /// Who started it (`$USER`).
    public var operatorName: String
    /// Where it ran.
    public var host: String
    /// The program that wrote the journal.
    public var tool: String?
    /// When it started (`run_start`).
    public var started: String
    /// When it ended (`run_end`), if it did.
    public var ended: String?
    /// When the last record was written.
    public var lastRecord: String
    /// Milliseconds from the start to the end (or to the last record of an unfinished run).
    public var durationMs: Int?
    /// The exit status recorded in `run_end`.
    public var exitStatus: Int32?
    /// Step ends per status (`run_end`).
    public var counts: [String: Int]?
    /// Steps in the runbook.
    public var totalSteps: Int
    /// The params as recorded: a secret has no value.
    public var params: [ParamValue]
    /// The values given to undeclared placeholders (`<namespace>`), recorded like params: a
    /// secret-looking name has no value. Empty for a journal written before they were recorded.
    public var placeholders: [ParamValue]
    /// Who resumed the run, in order (`user@host`).
    public var resumedBy: [String]

    enum CodingKeys: String, CodingKey {
        case runId = "run_id"
        case mode, state, unfinished, incident
        case operatorName = "operator"
        case host, tool, started, ended
        case lastRecord = "last_record"
        case durationMs = "duration_ms"
        case exitStatus = "exit_status"
        case counts
        case totalSteps = "total_steps"
        case params, placeholders
        case resumedBy = "resumed_by"
    }
}

/// The runbook of a run.
public struct RunbookFacts: Encodable, Sendable {
    /// The path as given when the run started.
    public var path: String
    /// Its real path.
    public var realpath: String
    /// SHA-256 of its bytes when the run started.
    public var sha256: String
    /// Its size then.
    public var bytes: Int
    /// The copy in the run folder the run last ran (`runbook.md`, or a resume's `runbook-<sha>.md`).
    public var snapshot: String
    /// The SHA-256 the journal gives for that copy.
    public var snapshotSHA256: String
    /// Its title.
    public var title: String?
    /// Why the copy could not be used, when it could not.
    public var problem: String?

    enum CodingKeys: String, CodingKey {
        case path, realpath, sha256, bytes, snapshot
        case snapshotSHA256 = "snapshot_sha256"
        case title, problem
    }
}

/// What verifying the journal and the run folder's files found.
public struct JournalFacts: Encodable, Sendable {
    /// The journal file.
    public var file: String
    /// Records that verified.
    public var records: Int
    /// SHA-256 of the last verified record: `runbook verify`'s head.
    public var head: String
    /// Whether the chain holds and every file matches.
    public var ok: Bool
    /// The chain's first problem.
    public var problem: String?
    /// The length of a torn last record (a crash mid-write).
    public var tornTailBytes: Int?
    /// Files of the run folder that do not match the journal.
    public var fileFindings: [RunFileFinding]

    enum CodingKeys: String, CodingKey {
        case file, records, head, ok, problem
        case tornTailBytes = "torn_tail_bytes"
        case fileFindings = "file_findings"
    }
}

/// A journal that cannot be exported at all.
public struct ExportError: Error, CustomStringConvertible, Sendable {
    /// What went wrong and what to try.
    public let message: String
    /// Whether the journal is there but is not a run's journal (exit 4), rather than unreadable (exit 2).
    public let isDamage: Bool
    /// The message.
    public var description: String { message }
}

extension RunExport {
    /// Reads the run whose journal is at `path` (streamed once), its runbook copy, and checks the
    /// run folder's files; `state`, when known, tells a running run from an interrupted one.
    public static func load(journal path: String, state: StateDirectory?) throws(ExportError) -> RunExport {
        let folder = RunFileCheck.folder(ofJournal: path)
        let fold = ExportFold()
        let verification: JournalVerification
        do {
            verification = try JournalVerifier.scan(path: path) { fold.add($0) }
        } catch {
            throw ExportError(message: error.message, isDamage: false)
        }
        guard let start = fold.runStart, let runId = start.runId else {
            throw ExportError(message: "\(path) has no verifiable run_start record: \(verification.problem ?? "it is empty")", isDamage: true)
        }
        // The fold's tables are cut to their size before the copy is parsed (the largest allocation
        // of an export of a long runbook), and the files are hashed on another thread meanwhile.
        fold.shrink()
        let checking = FileCheckTask(folder: folder, references: fold.references, lookForUnreferenced: verification.ok)
        var runbook = RunbookFacts(
            path: start.runbook?.path ?? "?", realpath: start.runbook?.realpath ?? "", sha256: start.runbook?.sha256 ?? "",
            bytes: start.runbook?.bytes ?? 0, snapshot: fold.collector.snapshot ?? "runbook.md", snapshotSHA256: fold.snapshotSHA256 ?? "")
        let copy = readCopy(folder: folder, facts: &runbook)
        let index = JournalIndex(path: path, verifiedBytes: verification.verifiedBytes, records: verification.recordCount)
        let files = checking.result()
        let journal = JournalFacts(
            file: path, records: verification.recordCount, head: verification.headHash, ok: verification.ok && files.findings.isEmpty,
            problem: verification.problem, tornTailBytes: verification.tornTail?.length, fileFindings: files.findings)
        let entries = StepEntry.order(copy: copy, collector: fold.collector)
        let unknown = fold.collector.hasUnknownOutcome
        let run = RunFacts(
            runId: runId, mode: start.mode ?? "live",
            state: runState(fold, unknown: unknown, damaged: !verification.ok, state: state, realpath: runbook.realpath, runId: runId),
            unfinished: fold.runEnd == nil, incident: start.incident, operatorName: start.operatorName ?? "?", host: start.host ?? "?",
            tool: start.tool, started: start.ts, ended: fold.runEnd?.ts, lastRecord: fold.lastTs,
            durationMs: ExportTime.millisecondsBetween(start.ts, fold.runEnd?.ts ?? fold.lastTs), exitStatus: fold.runEnd?.exitStatus,
            counts: fold.runEnd?.counts, totalSteps: copy?.steps.count ?? start.totalSteps ?? entries.count, params: start.params ?? [],
            placeholders: start.placeholders ?? [], resumedBy: fold.resumedBy)
        return RunExport(
            run: run, runbook: runbook, events: fold.collector.runEvents, journal: journal, copy: copy, folder: folder, entries: entries,
            collector: fold.collector, index: index, records: fold.records, operators: fold.operators)
    }

    /// The runbook copy the run last ran, parsed; nil (with `facts.problem` saying why) when it is
    /// missing, unreadable or not the one the journal records.
    private static func readCopy(folder: String, facts: inout RunbookFacts) -> Runbook? {
        let parts = facts.snapshot.split(separator: "/")
        guard !facts.snapshot.hasPrefix("/"), !parts.contains("..") else {
            facts.problem = "the journal names a runbook copy outside the run folder ('\(facts.snapshot)')"
            return nil
        }
        let copy: Runbook
        do {
            copy = try RunbookParser.parse(path: folder + "/" + facts.snapshot)
        } catch {
            facts.problem = "the runbook copy cannot be read: \(error.description)"
            return nil
        }
        guard facts.snapshotSHA256.isEmpty || copy.sha256 == facts.snapshotSHA256 else {
            facts.problem = "the runbook copy '\(facts.snapshot)' does not match the sha256 the journal records for it"
            return nil
        }
        facts.title = copy.title
        return copy
    }

    /// The run's state, as `runbook runs` derives it, from the streamed fold.
    private static func runState(
        _ fold: ExportFold, unknown: Bool, damaged: Bool, state: StateDirectory?, realpath: String, runId: String
    ) -> String {
        if damaged { return "damaged" }
        if let end = fold.runEnd { return end.status ?? "completed" }
        if let state, let holder = RunLock.currentHolder(runbookRealpath: realpath, state: state), holder.runId == runId { return "running" }
        return fold.endedInPause && !unknown ? "paused" : "interrupted"
    }
}

/// `RunFileCheck.check` on a thread of its own.
private final class FileCheckTask: @unchecked Sendable {
    private var value = RunFileCheck.Result()
    private let done = DispatchSemaphore(value: 0)

    init(folder: String, references: RunFileReferences, lookForUnreferenced: Bool) {
        Thread.detachNewThread { [self] in
            value = RunFileCheck.check(folder: folder, references: references, lookForUnreferenced: lookForUnreferenced)
            done.signal()
        }
    }

    /// Waits for the check and returns what it found (once).
    func result() -> RunFileCheck.Result {
        done.wait()
        return value
    }
}

/// Reading the journal's timestamps (`2026-11-26T10:05:56.459Z`).
enum ExportTime {
    /// Milliseconds since 1970 of a journal timestamp; nil when it is not one.
    static func milliseconds(_ ts: String) -> Int? {
        let digits = ts.utf8.map { Int($0) - 48 }
        guard ts.utf8.count == 24, ts.hasSuffix("Z") else { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for index in from..<(from + count) {
                guard (0...9).contains(digits[index]) else { return nil }
                value = value * 10 + digits[index]
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2), let minute = number(14, 2),
            let second = number(17, 2), let milli = number(20, 3)
        else { return nil }
        // Days from 1970-01-01 to the date (proleptic Gregorian calendar, Howard Hinnant's days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + milli
    }

    /// Milliseconds from `a` to `b`, when both are journal timestamps.
    static func millisecondsBetween(_ a: String, _ b: String) -> Int? {
        guard let x = milliseconds(a), let y = milliseconds(b) else { return nil }
        return y - x
    }

    /// `1h2m3s`, `4s`, `250ms` for a number of milliseconds.
    static func duration(_ ms: Int) -> String { formatDuration(Double(ms) / 1000) }
}
