import ArgumentParser
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

    @OptionGroup var state: StateOptions

    @OptionGroup var output: JSONOption

    func run() throws {
        let path = RunCatalog.journalPath(for: target, state: try? state.resolve())
        let result: JournalVerification
        do {
            result = try JournalVerifier.verify(path: path)
        } catch {
            throw fail("\(error.message); give a run id, a run folder or a journal file", .badInput)
        }
        let report = VerifyReport(journal: path, verification: result, expectedHead: expectHead)
        if output.json {
            writeStdout(try encodeJSON(report) + "\n")
        } else if report.ok {
            writeStdout(report.text)
        } else {
            writeStderr(report.text)
        }
        if !report.ok { throw ExitCode(ExitStatus.journalIntegrity.rawValue) }
    }
}
