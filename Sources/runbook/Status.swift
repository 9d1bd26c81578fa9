import ArgumentParser
import Foundation
import RunbookKit

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show one run step by step: outcomes, attempts, decisions and notes, durations, output sizes.",
        discussion: """
            Takes a run id, a run folder or a journal file. Each step of the run's runbook is listed \
            with its final outcome (ok, failed, timed_out, interrupted, skipped, done, unknown, \
            not_run, removed), how many attempts it took, how long they ran and how much output \
            they wrote, and every decision and note on it with when and by whom.

            Examples:
              $ runbook status 20261126T093000Z-1a2b3c4d
              $ runbook status --json 20261126T093000Z-1a2b3c4d | jq '.steps[] | select(.outcome != "ok")'

            Exit codes: 0 shown; 2 no such run; 4 the journal fails verification (what verifies is shown).
            """
    )

    @Argument(help: "A run id, run folder or journal file.")
    var target: String

    @OptionGroup var state: StateOptions

    @OptionGroup var output: JSONOption

    func run() throws {
        let state = try state.resolve()
        let journal = RunCatalog.journalPath(for: target, state: state)
        guard FileManager.default.fileExists(atPath: journal) else {
            throw fail(
                "cannot read '\(journal)': no such run; give a run id ('\(pasteable("runbook runs", state: state))' lists them), a run folder or a journal file",
                .badInput)
        }
        guard let (status, verification) = RunStatus.read(journal: journal, state: state) else {
            throw fail("\(journal) has no run_start record; it is not a run's journal", .journalIntegrity)
        }
        if output.json {
            writeStdout(try encodeJSON(status) + "\n")
        } else {
            writeStdout(status.text(style: .forDescriptor(1, environment: processEnvironment())))
        }
        if let problem = verification.problem {
            throw fail("\(journal): journal verification failed: \(problem); the status shows the records before it", .journalIntegrity)
        }
    }
}
