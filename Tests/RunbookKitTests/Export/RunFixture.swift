import Foundation
import Testing

@testable import RunbookKit

/// A run folder written by hand with the journal's own writer: the runbook copy, output files and
/// a chained journal, for export tests that need a run no command makes yet (a rehearsal, a retry,
/// a damaged output file). It is laid out as journal format version 1 wrote runs (one output file
/// per attempt, records marked `v: 1`), so the exports' tests also hold that old runs still read.
final class RunFixture {
    let state: String
    let folder: String
    let runId: String
    private let writer: JournalWriter
    let clock = SteppingClock()

    /// A run of `runbook` (its text is the copy), started in `mode`, with `params` recorded.
    init(runbook text: String, mode: String = "live", runId: String = "20261201T090000Z-0000cafe", params: [ParamValue] = []) throws {
        // Removed with the test's folder (`.temporaryStateDirectory`): an export reads the run's files
        // after the fixture's last use.
        let parent = try #require(TemporaryStateDirectory.current, "give the suite the .temporaryStateDirectory trait")
        var template = Array("\(parent)/export-XXXXXX".utf8CString)
        state = String(cString: try #require(mkdtemp(&template)))
        self.runId = runId
        folder = state + "/runs/" + runId
        for sub in ["", "/out", "/code"] { try FileManager.default.createDirectory(atPath: folder + sub, withIntermediateDirectories: true) }
        let bytes = Array(text.utf8)
        try writePrivateFile(folder + "/runbook.md", bytes)
        writer = try JournalWriter(creating: folder + "/journal.jsonl", runId: runId, clock: clock)
        var start = JournalRecord(type: .runStart)
        start.runId = runId
        start.runbook = RunbookRef(path: "ops/r.md", realpath: "/srv/ops/r.md", sha256: SHA256.hex(bytes), bytes: bytes.count, snapshot: "runbook.md")
        start.operatorName = "oncall"
        start.host = "ops-1"
        start.mode = mode
        start.params = params
        start.incident = "INC-7"
        start.totalSteps = RunbookParser.parse(bytes: bytes, path: "r.md").steps.count
        start.tool = "runbook test"
        start.pid = 4242
        try writer.append(start)
    }

    var journal: String { folder + "/journal.jsonl" }

    /// Appends a record; returns it as written (with its `seq`).
    @discardableResult
    func append(_ type: RecordType, _ fill: (inout JournalRecord) -> Void = { _ in }) throws -> JournalRecord {
        var record = JournalRecord(type: type)
        record.v = 1
        fill(&record)
        return try writer.append(record)
    }

    /// A code step's attempt: `step_start`, its output file and `step_end` with `status`.
    func attempt(
        _ key: String, number: Int, attempt: Int = 1, status: String, exit: Int32? = nil, output: String? = nil, durationMs: Int = 20,
        findings: [String]? = nil, edited: (file: String, code: String)? = nil
    ) throws {
        var editedRef: CodeRef?
        if let edited {
            try writePrivateFile(folder + "/" + edited.file, Array(edited.code.utf8))
            editedRef = CodeRef(file: edited.file, sha256: SHA256.hex(edited.code))
        }
        let start = try append(.stepStart) {
            $0.key = key
            $0.number = number
            $0.kind = "code"
            $0.line = 1
            $0.attempt = attempt
            $0.interpreter = "bash"
            $0.editedCode = editedRef
        }
        var ref: OutputRef?
        if let output {
            let file = "out/\(start.seq).log"
            try writePrivateFile(folder + "/" + file, Array(output.utf8))
            let count = output.utf8.count
            ref = OutputRef(file: file, sha256: SHA256.hex(output), bytesTotal: count, bytesKept: count, bytesDropped: 0, truncated: false, masked: 0)
        }
        try append(.stepEnd) {
            $0.key = key
            $0.number = number
            $0.attempt = attempt
            $0.status = status
            $0.exitCode = exit
            $0.durationMs = durationMs
            $0.output = ref
            $0.findings = findings
        }
    }

    /// A manual step confirmed done.
    func manualDone(_ key: String, number: Int) throws {
        try append(.stepStart) {
            $0.key = key
            $0.number = number
            $0.kind = "manual"
            $0.line = 1
            $0.attempt = 1
        }
        try append(.decision) {
            $0.key = key
            $0.choice = "done"
        }
        try append(.stepEnd) {
            $0.key = key
            $0.number = number
            $0.status = "done"
        }
    }

    /// `run_end` with `status`.
    func end(_ status: String, exit: Int32) throws {
        try append(.runEnd) {
            $0.status = status
            $0.exitStatus = exit
        }
    }

    /// The run, loaded as `runbook export` loads it.
    func load() throws -> RunExport { try RunExport.load(journal: journal, state: StateDirectory(root: state)) }
}

/// What an export writes, collected.
final class StringSink: ExportSink {
    var text = ""
    func write(_ text: String) { self.text += text }
}

extension RunExport {
    /// The export in `format`, as text.
    func rendered(_ format: ExportFormat, options: ExportOptions = ExportOptions()) throws -> String {
        let sink = StringSink()
        try format.write(self, options: options, to: sink)
        return sink.text
    }
}

/// The repository's root folder.
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url.path
}()

/// Validates a JSON export against docs/export.schema.json with Python's `jsonschema` (Debian:
/// python3-jsonschema, installed by .ci/run); the validator's complaint, or nil when it passes.
func schemaProblem(ofJSON text: String) throws -> String? {
    let file = NSTemporaryDirectory() + "/export-\(UUID().uuidString).json"
    try text.write(toFile: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: file) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
        "python3", "-c",
        "import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])), format_checker=jsonschema.FormatChecker())",
        repositoryRoot + "/docs/export.schema.json", file,
    ]
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let message = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return process.terminationStatus == 0 ? nil : String(decoding: message, as: UTF8.self)
}
