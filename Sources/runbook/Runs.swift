import ArgumentParser
import RunbookKit

struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List the runs under the state directory, newest last, with their state.",
        discussion: """
            A run is completed, aborted, paused (resumable with 'runbook resume'), or damaged \
            (its journal fails verification).

            Examples:
              $ runbook runs
              $ runbook runs --json | jq -r '.[] | select(.state == "paused") | .run_id'
            """
    )

    @OptionGroup var state: StateOptions

    @OptionGroup var output: JSONOption

    func run() throws {
        let state = try state.resolve()
        let runs = RunCatalog(state: state).list()
        if output.json {
            writeStdout(try encodeJSON(runs) + "\n")
        } else {
            writeStdout(RunListText.render(runs, state: state))
        }
    }
}
