/// One line of a run's journal (JSON Lines, format version 1; see docs/journal.md).
///
/// A flat record: `type` says which of the optional fields are present.
/// Every record carries `seq` (0, 1, 2, … with no gap) and `prev`, the SHA-256
/// of the previous line's exact bytes (for seq 0: of `"runbook-journal-v1\0" + run_id`).
public struct JournalRecord: Codable, Sendable, Equatable {
    public var v: Int = 1
    public var seq: Int = 0
    public var type: RecordType
    /// UTC time, ISO 8601 with milliseconds.
    public var ts: String = ""
    public var prev: String = ""

    // run_start
    public var runId: String?
    public var runbook: RunbookRef?
    public var operatorName: String?
    public var host: String?
    public var mode: String?
    public var params: [ParamValue]?
    public var incident: String?
    public var totalSteps: Int?
    public var tool: String?
    public var pid: Int32?
    public var bootId: String?

    // step records
    public var key: String?
    public var number: Int?
    public var kind: String?
    public var line: Int?
    public var attempt: Int?
    public var codeSHA256: String?
    public var editedCode: CodeRef?
    public var interpreter: String?
    public var interactive: Bool?
    public var pgid: Int32?
    public var starttime: UInt64?

    // step_end
    public var status: String?
    public var exitCode: Int32?
    public var signal: String?
    public var durationMs: Int?
    public var timedOut: Bool?
    public var signalsSent: [String]?
    public var output: OutputRef?
    public var leftovers: [Leftover]?
    public var exports: [ExportedVariable]?
    public var unset: [String]?
    public var error: String?

    // decision / note / run_end
    public var choice: String?
    public var reason: String?
    public var text: String?
    public var counts: [String: Int]?
    public var exitStatus: Int32?

    public init(type: RecordType) { self.type = type }

    enum CodingKeys: String, CodingKey {
        case v, seq, type, ts, prev
        case runId = "run_id"
        case runbook
        case operatorName = "operator"
        case host, mode, params, incident
        case totalSteps = "total_steps"
        case tool, pid
        case bootId = "boot_id"
        case key, number, kind, line, attempt
        case codeSHA256 = "code_sha256"
        case editedCode = "edited_code"
        case interpreter
        case interactive, pgid, starttime
        case status
        case exitCode = "exit_code"
        case signal
        case durationMs = "duration_ms"
        case timedOut = "timed_out"
        case signalsSent = "signals_sent"
        case output, leftovers, exports, unset, error
        case choice, reason, text, counts
        case exitStatus = "exit_status"
    }
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
    public var path: String
    public var realpath: String
    public var sha256: String
    public var bytes: Int
    public var snapshot: String
}

/// A parameter's value as recorded: secrets never carry a value.
public struct ParamValue: Codable, Sendable, Equatable {
    public var name: String
    public var value: String?
    public var secret: Bool
    /// Where the value came from: default, set, env, prompt, stdin.
    public var source: String

    public init(name: String, value: String?, secret: Bool, source: String) {
        self.name = name
        self.value = value
        self.secret = secret
        self.source = source
    }
}

/// Code the operator edited before running, stored beside the journal.
public struct CodeRef: Codable, Sendable, Equatable {
    public var file: String
    public var sha256: String
}

/// Where a step's recorded output is and what was kept of it.
public struct OutputRef: Codable, Sendable, Equatable {
    /// Path relative to the run folder.
    public var file: String
    /// SHA-256 of the file's bytes.
    public var sha256: String
    /// Bytes the step wrote.
    public var bytesTotal: Int
    /// Bytes of output kept in the file (head plus tail, after masking).
    public var bytesKept: Int
    /// Bytes dropped between head and tail.
    public var bytesDropped: Int
    public var truncated: Bool
    /// How many secret occurrences were masked.
    public var masked: Int

    enum CodingKeys: String, CodingKey {
        case file, sha256
        case bytesTotal = "bytes_total"
        case bytesKept = "bytes_kept"
        case bytesDropped = "bytes_dropped"
        case truncated, masked
    }
}

/// A process left behind by a step and killed when the step ended.
public struct Leftover: Codable, Sendable, Equatable {
    public var pid: Int32
    public var command: String
}

/// A variable a shell step exported, carried to later steps.
public struct ExportedVariable: Codable, Sendable, Equatable {
    public var name: String
    /// Nil when secret (a secret param's name, or a value holding a secret).
    public var value: String?
    public var secret: Bool

    public init(name: String, value: String?, secret: Bool) {
        self.name = name
        self.value = value
        self.secret = secret
    }
}
