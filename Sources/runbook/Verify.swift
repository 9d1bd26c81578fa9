import ArgumentParser
import Foundation
import RunbookKit

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a run's journal: every record's hash chain link and sequence number.",
        discussion: """
        Takes a journal file, a run folder, or a run id (looked up in the state directory). \
        Prints the record count and the head hash; compare the head with the one printed at \
        the end of the run (or pasted into the incident ticket) to detect records cut from the end.

        Examples:
          $ runbook verify 20261126T093000Z-1a2b3c4d
          $ runbook verify ~/.local/state/runbook/runs/20261126T093000Z-1a2b3c4d/journal.jsonl
          $ runbook verify --expect-head 3f2a… RUN_ID

        Exit codes: 0 the chain holds (a torn last line from a crash mid-write is reported, \
        not counted as tampering); 4 the journal was changed, cut or spliced, or --expect-head \
        does not match; 2 no such journal.
        """
    )

    @Argument(help: "A run id, run folder or journal file.")
    var target: String

    @Option(help: ArgumentHelp("Fail unless the head hash is this one.", valueName: "SHA256"))
    var expectHead: String?

    @Option(help: ArgumentHelp("Where runs are kept.", valueName: "DIR"), completion: .directory)
    var stateDir: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let environment = processEnvironment()
        var path = target
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            if isDir.boolValue { path += "/journal.jsonl" }
        } else if let state = try? StateDirectory.resolve(explicit: stateDir, environment: environment) {
            path = state.runDir(target) + "/journal.jsonl"
        }
        let result: JournalVerification
        do {
            result = try JournalVerifier.verify(path: path)
        } catch {
            writeStderr("runbook: error: \(error.message); give a run id, a run folder or a journal file\n")
            throw ExitCode(ExitStatus.badInput.rawValue)
        }
        var problem = result.problem
        if problem == nil, let expected = expectHead, expected != result.headHash {
            problem = "head hash is \(result.headHash), expected \(expected): records were cut from the end or changed"
        }
        if json {
            struct Report: Encodable {
                var journal: String, ok: Bool, records: Int, head: String, problem: String?, tornTailBytes: Int?
                enum CodingKeys: String, CodingKey { case journal, ok, records, head, problem, tornTailBytes = "torn_tail_bytes" }
            }
            writeStdout(try encodeJSON(Report(journal: path, ok: problem == nil, records: result.records.count,
                                              head: result.headHash, problem: problem, tornTailBytes: result.tornTail?.length)) + "\n")
        } else if let problem {
            writeStderr("\(path): journal verification failed: \(problem)\n")
            writeStderr("the first \(result.records.count) records verify; head of that part: \(result.headHash)\n")
        } else {
            writeStdout("\(path): ok, \(result.records.count) records, head sha256 \(result.headHash)\n")
            if let torn = result.tornTail {
                writeStdout("note: the last \(torn.length) bytes (from offset \(torn.offset)) are a torn record from a crash mid-write; everything before verifies\n")
            }
        }
        if problem != nil { throw ExitCode(ExitStatus.journalIntegrity.rawValue) }
    }
}
