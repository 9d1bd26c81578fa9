/// One line of a run's journal (JSON Lines, format version 2; version 1 is still read; see docs/journal.md).
///
/// A flat record: `type` says which of the optional fields are present.
/// Every record carries `seq` (0, 1, 2, … with no gap) and `prev`, the SHA-256
/// of the previous line's exact bytes (for seq 0: of `"runbook-journal-v1\0" + run_id`).
public struct JournalRecord: Codable, Sendable, Equatable {
    /// The journal format version of the record: `2` (output in the run's `output.log`), or `1`
    /// (output in one file per attempt) in journals written before it.
    public var v: Int = JournalRecord.formatVersion
    /// Position in the journal: 0 for `run_start`, then one more per record, with no gap.
    public var seq: Int = 0
    /// Which event the record is, and so which optional fields it carries.
    public var type: RecordType
    /// UTC time, ISO 8601 with milliseconds.
    public var ts: String = ""
    /// SHA-256 (hex) of the previous line's exact bytes; for `seq` 0, of the chain seed.
    public var prev: String = ""

    // run_start
    /// The run's id, also its folder's name (`run_start`).
    public var runId: String?
    /// The runbook the run executes and its copy in the run folder (`run_start`).
    public var runbook: RunbookRef?
    /// Who runs it: `$USER`, else `$LOGNAME`, else the account name (`run_start`; JSON key `operator`).
    public var operatorName: String?
    /// The host name of the machine it runs on (`run_start`).
    public var host: String?
    /// How the run executes steps; always `live` (`run_start`).
    public var mode: String?
    /// Every declared param's value and where it came from, in declaration order (`run_start`;
    /// also on a resume note that records a param given a new value).
    public var params: [ParamValue]?
    /// The value given to each placeholder the steps to run hold (`<namespace>`, `YOUR_TOKEN_HERE`), in
    /// order of first use; a secret-looking name has no value (`run_start`; optional: older journals and
    /// runs without placeholders have none).
    public var placeholders: [ParamValue]?
    /// The incident or ticket id given with `--incident` (`run_start`).
    public var incident: String?
    /// How many steps, code and manual, the runbook has (`run_start`).
    public var totalSteps: Int?
    /// How many per-step records a reader of this `run_start` makes room for at once: `totalSteps`,
    /// at most about a million (a journal that claims more gets room grown as it goes).
    var stepsToReserve: Int { min(max(totalSteps ?? 0, 0), 1 << 20) }
    /// The program and version that wrote the journal, e.g. `runbook 0.1.0` (`run_start`).
    public var tool: String?
    /// The runner's pid (`run_start`, resume notes), or the step's process (`step_spawned`).
    public var pid: Int32?
    /// The Linux boot id, so a recorded pid is not mistaken for the same pid after a reboot (`run_start`).
    public var bootId: String?

    // step records
    /// The key of the step the record is about.
    public var key: String?
    /// The step's 1-based position in the runbook (`step_start`, `step_end`).
    public var number: Int?
    /// `code` or `manual` (`step_start`).
    public var kind: String?
    /// The step's line in the runbook (`step_start`).
    public var line: Int?
    /// Which run of the step's code this is, from 1; 0 for a step skipped without running.
    public var attempt: Int?
    /// SHA-256 of the step's code as written in the runbook, even when an edited version runs.
    public var codeSHA256: String?
    /// The edited code that runs instead of the runbook's, when the operator edited it.
    public var editedCode: CodeRef?
    /// The program that runs the code, e.g. `bash` (`step_start`).
    public var interpreter: String?
    /// True when the step runs on a pseudo-terminal; absent otherwise (`step_start`).
    public var interactive: Bool?
    /// Where in the run's `output.log` this attempt's output begins (`step_start` of a code step, version 2).
    public var outputOffset: Int?
    /// The step's process group, equal to its pid (`step_spawned`).
    public var pgid: Int32?
    /// The step process's start time in clock ticks after boot, from `/proc/<pid>/stat` (`step_spawned`).
    public var starttime: UInt64?

    // step_end
    /// How the attempt ended (`ok`, `failed`, `timed_out`, `interrupted`, `skipped`, `done`), or
    /// how the run ended in `run_end` (`completed`, `completed_with_failures`, `aborted`).
    public var status: String?
    /// The process's exit status, when it exited (`step_end`).
    public var exitCode: Int32?
    /// The signal that killed the process, by name (`TERM`, `KILL`, …) (`step_end`).
    public var signal: String?
    /// Milliseconds from the start of the process until its output ended (`step_end`).
    public var durationMs: Int?
    /// True when the step's timeout expired; absent otherwise (`step_end`).
    public var timedOut: Bool?
    /// Signals the runner sent to the step's process group, in order (`step_end`).
    public var signalsSent: [String]?
    /// The recorded output file of the attempt (`step_end`).
    public var output: OutputRef?
    /// Processes still running when the step's main process exited, which the runner killed (`step_end`).
    public var leftovers: [Leftover]?
    /// Variables a successful shell step exported for later steps (`step_end`).
    public var exports: [ExportedVariable]?
    /// Names of variables the step unset, which later steps no longer get (`step_end`).
    public var unset: [String]?
    /// Why the step could not run or was stopped, when the runner knows (`step_end`).
    public var error: String?
    /// What a rehearsal found about the step: failed checks and warnings, one line each (`step_end` of a rehearsal).
    public var findings: [String]?
    /// What ran instead of the step in a rehearsal: `rehearse` (its `rehearse=` command) or
    /// `rehearse-for` (its `{rehearse-for=KEY}` block); absent when nothing ran (`step_end` of a rehearsal).
    public var rehearsedBy: String?

    // decision / note / run_end
    /// The operator's answer (`run`, `skip`, `edit`, `retry`, `shell`, `done`, `abort`, `pause`,
    /// and on resume `keep` or `rerun`) (`decision`).
    public var choice: String?
    /// Why: a skip reason, why the run paused or aborted (masked) (`decision`, `step_end`).
    public var reason: String?
    /// The text of a note (masked), or what a `recovered` record cut.
    public var text: String?
    /// How many steps ended with each status (`run_end`; docs/journal.md says how a resumed run counts).
    public var counts: [String: Int]?
    /// The exit status of the command that ended the run (`run_end`).
    public var exitStatus: Int32?

    /// The format version this build writes.
    public static let formatVersion = 2

    /// A record of the given type with every optional field absent; the writer fills in `seq`,
    /// `ts` and `prev`.
    public init(type: RecordType) { self.type = type }

    enum CodingKeys: String, CodingKey {
        case v, seq, type, ts, prev
        case runId = "run_id"
        case runbook
        case operatorName = "operator"
        case host, mode, params, placeholders, incident
        case totalSteps = "total_steps"
        case tool, pid
        case bootId = "boot_id"
        case key, number, kind, line, attempt
        case codeSHA256 = "code_sha256"
        case editedCode = "edited_code"
        case interpreter
        case interactive, pgid, starttime
        case outputOffset = "output_offset"
        case status
        case exitCode = "exit_code"
        case signal
        case durationMs = "duration_ms"
        case timedOut = "timed_out"
        case signalsSent = "signals_sent"
        case output, leftovers, exports, unset, error, findings
        case rehearsedBy = "rehearsed_by"
        case choice, reason, text, counts
        case exitStatus = "exit_status"
    }
}

/// What the `status` of a `step_end` means, in one place for every reader.
public enum StepEndStatus {
    /// The step succeeded: `ok` (its code exited as expected), `done` (a manual step confirmed, or
    /// an unknown outcome the operator says finished), `rehearsed` (every rehearsal check passed).
    public static let succeeded: Set<String> = ["ok", "done", "rehearsed"]
    /// The step is over for good: it succeeded or was `skipped`; a resume does not run it again.
    public static let finished: Set<String> = succeeded.union(["skipped"])
}

/// The kinds of journal record.
public enum RecordType: String, Codable, Sendable {
    case runStart = "run_start"
    case stepStart = "step_start"
    case stepSpawned = "step_spawned"
    case stepEnd = "step_end"
    case decision
    case note
    case runEnd = "run_end"
    case recovered
}

/// The runbook a run executes: where it was, its hash, and the run folder's byte-exact copy.
public struct RunbookRef: Codable, Sendable, Equatable {
    /// The path as given on the command line.
    public var path: String
    /// The absolute path with symlinks resolved (the lock is named after it).
    public var realpath: String
    /// SHA-256 (hex) of the file's bytes when the run started.
    public var sha256: String
    /// The file's size in bytes.
    public var bytes: Int
    /// The copy's name inside the run folder, `runbook.md`.
    public var snapshot: String
}

/// A parameter's value as recorded: secrets never carry a value.
public struct ParamValue: Codable, Sendable, Equatable {
    /// The param's name.
    public var name: String
    /// The value, or nil for a secret (an optional param given no value records `""`).
    public var value: String?
    /// Whether the param is secret, so its value is not recorded.
    public var secret: Bool
    /// Where the value came from: default, set, env, prompt, stdin.
    public var source: String

    /// A recorded value; pass nil as `value` for a secret.
    public init(name: String, value: String?, secret: Bool, source: String) {
        self.name = name
        self.value = value
        self.secret = secret
        self.source = source
    }
}

/// Code the operator edited before running, stored beside the journal.
public struct CodeRef: Codable, Sendable, Equatable {
    /// Path of the edited code relative to the run folder, under `code/`.
    public var file: String
    /// SHA-256 (hex) of the edited code, the code that actually runs.
    public var sha256: String
}

/// Where a step's recorded output is and what was kept of it.
public struct OutputRef: Codable, Sendable, Equatable {
    /// Path relative to the run folder: `output.log` (version 2), or `out/<seq>.log` (version 1).
    public var file: String
    /// Where the attempt's bytes begin in `file` (version 2: they are `bytesKept` bytes from
    /// there); nil when the attempt has the whole file to itself (version 1).
    public var offset: Int?
    /// SHA-256 of the attempt's recorded bytes.
    public var sha256: String
    /// Bytes the step wrote.
    public var bytesTotal: Int
    /// Bytes of output kept in the file (head plus tail, after masking).
    public var bytesKept: Int
    /// Bytes dropped between head and tail.
    public var bytesDropped: Int
    /// Whether any bytes were dropped (`bytesDropped > 0`).
    public var truncated: Bool
    /// How many secret occurrences were masked.
    public var masked: Int
    /// The attempt's recorded bytes themselves, base64, when they are few (version 2, at most
    /// `OutputRef.inlineLimit`): the journal line holds them, so one sync of the journal makes
    /// them durable; `output.log` has the same bytes, written as they came but not synced for them.
    public var inline: String?

    /// The most recorded bytes an attempt's `step_end` carries itself.
    public static let inlineLimit = 2048

    /// The attempt's recorded bytes in `file`: from `offset` (or 0), `bytesKept` long.
    public var range: Range<Int> { (offset ?? 0)..<((offset ?? 0) + bytesKept) }

    /// A readable name for the attempt's bytes: `output.log@1024+57`, or the file of a version 1 record.
    public var location: String { offset.map { "\(file)@\($0)+\(bytesKept)" } ?? file }

    enum CodingKeys: String, CodingKey {
        case file, offset, sha256
        case bytesTotal = "bytes_total"
        case bytesKept = "bytes_kept"
        case bytesDropped = "bytes_dropped"
        case truncated, masked, inline
    }
}

/// A process left behind by a step and killed when the step ended.
public struct Leftover: Codable, Sendable, Equatable {
    /// The process id it had.
    public var pid: Int32
    /// Its process name, from `/proc`.
    public var command: String
}

/// A variable a shell step exported, carried to later steps.
public struct ExportedVariable: Codable, Sendable, Equatable {
    /// The variable's name.
    public var name: String
    /// Nil when secret (a secret param's name, or a value holding a secret).
    public var value: String?
    /// Whether the variable counts as secret: its value is not recorded, though later steps still get it.
    public var secret: Bool

    /// An exported variable as recorded; pass nil as `value` when it is secret.
    public init(name: String, value: String?, secret: Bool) {
        self.name = name
        self.value = value
        self.secret = secret
    }
}
