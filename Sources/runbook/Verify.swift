import ArgumentParser
import RunbookKit

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a run: its journal's hash chain, and every file the journal names against its sha256.",
        discussion: """
            Takes a journal file, a run folder, or a run id (looked up in the state directory). \
            Checks every record's hash chain link and sequence number, then the files of the run \
            folder (the folder the journal is in): the runbook copy, each step's output, edited \
            code and the runbook copies a resume kept must match the sha256 their records give, \
            and no file under out/ or code/ may be one that no record names. Prints the record \
            count and the head hash; compare the head with the one printed at the end of the run \
            (or pasted into the incident ticket) to detect records cut from the end.

            Examples:
              $ runbook verify 20261126T093000Z-1a2b3c4d
              $ runbook verify ~/.local/state/runbook/runs/20261126T093000Z-1a2b3c4d/journal.jsonl
              $ runbook verify --expect-head 3f2a… RUN_ID
              $ runbook verify --chain-only copy-of-a-journal.jsonl

            Exit codes: 0 the chain holds and every file matches (a torn last line from a crash \
            mid-write is reported, not counted as tampering); 4 the journal was changed, cut or \
            spliced, --expect-head does not match, or a file is missing, changed or unexpected; \
            2 no such journal.
            """
    )

    @Argument(help: "A run id, run folder or journal file.")
    var target: String

    @Option(help: ArgumentHelp("Fail unless the head hash is this one.", valueName: "SHA256"))
    var expectHead: String?

    @Flag(help: "Check the journal's hash chain only, not the files of its run folder (for a journal copied elsewhere).")
    var chainOnly = false

    @OptionGroup var state: StateOptions

    @OptionGroup var output: JSONOption

    @OptionGroup(title: "Signed exports") var signed: ExportSignatureOptions

    /// A head hash is 64 hex digits: anything else is a mistyped option, not a cut journal.
    func validate() throws {
        guard let expectHead else { return }
        guard expectHead.utf8.count == 64, expectHead.allSatisfy(\.isHexDigit) else {
            throw ValidationError(
                "--expect-head takes the whole head hash, 64 hex digits (as 'runbook verify RUN' or the end of a run prints it); '\(expectHead)' is \(expectHead.count) characters"
            )
        }
    }

    func run() throws {
        let path = RunCatalog.journalPath(for: target, state: try? state.resolve())
        // Upper or lower case: the same hash.
        let expectHead = self.expectHead?.lowercased()
        if signed.isRequested { return try signed.run(journal: path, expectedHead: expectHead, checkFiles: !chainOnly, json: output.json) }
        let report: VerifyReport
        do {
            report = try VerifyReport.verify(journal: path, expectedHead: expectHead, checkFiles: !chainOnly)
        } catch {
            throw fail("\(error.message); give a run id, a run folder or a journal file", .badInput)
        }
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
