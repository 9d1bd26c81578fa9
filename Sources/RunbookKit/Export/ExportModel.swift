/// One attempt of a step as an export shows it: when it started and ended, how, and its output.
public struct ExportAttempt: Encodable, Sendable {
    /// `1`, `2`, … (a manual step confirmed is attempt 1).
    public var attempt: Int
    /// The `seq` of its `step_start` (its output file is `out/<seq>.log`).
    public var startSeq: Int
    /// When its `step_start` was recorded.
    public var started: String
    /// When its `step_end` was recorded; nil when none was (outcome unknown).
    public var ended: String?
    /// How it ended (`ok`, `failed`, `timed_out`, `interrupted`, `done`, `rehearsed`, …); nil when unknown.
    public var status: String?
    /// The process's exit status.
    public var exitCode: Int32?
    /// The signal that killed it.
    public var signal: String?
    /// Milliseconds it ran.
    public var durationMs: Int?
    /// True when its timeout expired.
    public var timedOut: Bool?
    /// Signals the runner sent to its process group.
    public var signalsSent: [String]?
    /// Why it could not run or was stopped, when the runner knew.
    public var error: String?
    /// The recorded output file (capped and masked when it was written).
    public var output: OutputRef?
    /// What the export shows of that file; filled in while the export is written.
    public var excerpt: OutputExcerpt?
    /// Processes it left behind, killed by the runner.
    public var leftovers: [Leftover]?
    /// Variables it exported (no value for a secret one).
    public var exports: [ExportedVariable]?
    /// What a rehearsal found (failed checks and warnings).
    public var findings: [String]?
    /// What ran instead of the step in a rehearsal: `rehearse` (its command) or `rehearse-for` (its block).
    public var rehearsedBy: String?
    /// The edited code that ran instead of the runbook's.
    public var editedCode: CodeRef?
    /// It ran on a pseudo-terminal (`interactive`): its output holds a terminal's control bytes.
    public var interactive: Bool?

    enum CodingKeys: String, CodingKey {
        case attempt
        case startSeq = "start_seq"
        case started, ended, status
        case exitCode = "exit_code"
        case signal
        case durationMs = "duration_ms"
        case timedOut = "timed_out"
        case signalsSent = "signals_sent"
        case error, output, excerpt, leftovers, exports, findings
        case rehearsedBy = "rehearsed_by"
        case editedCode = "edited_code"
        case interactive
    }
}

/// What an export shows of a recorded output file: its head and tail, with what was cut between.
public struct OutputExcerpt: Encodable, Sendable, Equatable {
    /// The shown text (lossy UTF-8; control characters other than tab and line feed shown as their
    /// Unicode control pictures), with a marker line where bytes were cut.
    public var text: String
    /// Bytes of the file shown.
    public var shownBytes: Int
    /// Bytes of the file the export left out (between head and tail).
    public var cutBytes: Int
    /// The file's size.
    public var fileBytes: Int
    /// Why nothing is shown (the file is missing, or does not match the journal), when so.
    public var withheld: String?
    /// For an `interactive` step: what a terminal finally showed of the shown bytes (carriage
    /// returns, erases and cursor moves applied, escape sequences dropped); `text` keeps every byte.
    public var rendered: String?

    enum CodingKeys: String, CodingKey {
        case text
        case shownBytes = "shown_bytes"
        case cutBytes = "cut_bytes"
        case fileBytes = "file_bytes"
        case withheld, rendered
    }
}

/// Code the operator edited, with its line diff against the runbook's code.
public struct EditedCode: Encodable, Sendable {
    /// The attempt that ran it.
    public var attempt: Int
    /// The file in the run folder (under `code/`).
    public var file: String
    /// Its SHA-256, as recorded.
    public var sha256: String
    /// Unchanged lines start with a space, removed ones with `-`, added ones with `+`; nil when the
    /// file could not be read or does not match its SHA-256 (then `withheld` says why).
    public var diff: [String]?
    /// Why there is no diff.
    public var withheld: String?
}

/// What the journal says about one step beyond its status, folded in the same pass as `RunStatus`.
struct StepDetail: Sendable {
    var attempts: [ExportAttempt] = []
    /// The reason of its last skip or confirmation (masked when recorded).
    var reason: String?
    /// The runner's explanation of the last attempt's failure.
    var error: String?
    var started: String?
    var ended: String?
    /// Who was operating the run when it last ended.
    var who: String?
    /// `code` or `manual`, from its `step_start`.
    var kind: String?
    /// `code_sha256` of its last `step_start`: the code as the runbook had it when it ran.
    var recordedCodeSHA256: String?
    var interpreter: String?

    mutating func add(_ record: JournalRecord, who: String) {
        switch record.type {
        case .stepStart:
            started = started ?? record.ts
            kind = record.kind ?? kind
            recordedCodeSHA256 = record.codeSHA256 ?? recordedCodeSHA256
            interpreter = record.interpreter ?? interpreter
            if let attempt = record.attempt, attempt > 0 {
                var started = ExportAttempt(attempt: attempt, startSeq: record.seq, started: record.ts, editedCode: record.editedCode)
                started.interactive = record.interactive
                attempts.append(started)
            }
        case .stepEnd:
            end(record, who: who)
        case .decision where record.choice == "skip":
            reason = record.reason ?? reason
        default:
            break
        }
    }

    private mutating func end(_ record: JournalRecord, who: String) {
        ended = record.ts
        self.who = who
        reason = record.reason
        error = record.error
        // A step_end closes the open attempt; a skip after a failed attempt, or a `done` given on
        // resume for an attempt whose outcome was unknown, closes nothing new or the unknown one.
        guard var last = attempts.last, last.status == nil, record.attempt == nil || record.attempt == last.attempt else { return }
        last.ended = record.ts
        last.status = record.status ?? "failed"
        last.exitCode = record.exitCode
        last.signal = record.signal
        last.durationMs = record.durationMs
        last.timedOut = record.timedOut
        last.signalsSent = record.signalsSent
        last.error = record.error
        last.output = record.output
        last.leftovers = record.leftovers
        last.exports = record.exports
        last.findings = record.findings
        last.rehearsedBy = record.rehearsedBy
        attempts[attempts.count - 1] = last
    }
}

/// One step of an exported run: the runbook's step (when the run's runbook copy has it) and what
/// the journal says happened to it.
public struct ExportStep: Sendable {
    /// Its key.
    public var key: String
    /// The step in the run's runbook copy; nil for a key only the journal knows (removed, renamed).
    public var step: Step?
    /// The title of its section, when it has one.
    public var section: String?
    /// Its outcome, attempts, durations, decisions and notes, as `runbook status` gives them.
    public var status: RunStatus.StepStatus
    /// Every attempt, in order.
    public var attempts: [ExportAttempt]
    /// The reason of its skip or confirmation, when one was given.
    public var reason: String?
    /// Why its last attempt failed, when the runner knew.
    public var error: String?
    /// When it first started and last ended.
    public var started: String?
    /// When its last `step_end` was recorded.
    public var ended: String?
    /// Who was operating the run when it ended.
    public var who: String?
    /// `code` or `manual`.
    public var kind: String?
    /// The SHA-256 of its code as the runbook had it when it last ran; differs from the copy's
    /// when a resume kept an earlier result of changed code.
    public var recordedCodeSHA256: String?

    /// `ok`, `done`: the step's work was done.
    public var isDone: Bool { ["ok", "done"].contains(status.outcome) }

    /// Its number in the runbook copy, else the number the journal recorded.
    public var number: Int? { step?.number ?? status.number }

    /// Its title in the runbook copy.
    public var title: String? { step?.title ?? status.title }
}
