import ArgumentParser
import RunbookKit

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show step by step how two runs of a runbook differ: outcome, attempts, duration, skipped, edited code, and the runbook's own changes.",
        discussion: """
            Takes two run ids, run folders or journal files. Steps are matched by key. For each it \
            shows A's result and B's, and what differs: outcome, attempts, exit code, duration (by \
            at least a second and by more than half), skipped, edited code, and whether the \
            runbook's code of the step changed between the runs (with the line diff). Hold a \
            rehearsal against the real incident, or last quarter's rollback against today's.

            Examples:
              $ runbook diff 20261120T093000Z-1a2b3c4d 20261126T101500Z-5e6f7a8b
              $ runbook diff --json REHEARSAL_RUN LIVE_RUN | jq '.steps[] | select(.changes != [])'

            Exit codes: 0 shown (whether or not they differ); 2 no such run; 4 a journal or a file \
            of a run fails verification.
            """
    )

    @Argument(help: "The first run (A): a run id, run folder or journal file.")
    var runA: String

    @Argument(help: "The second run (B).")
    var runB: String

    @OptionGroup var state: StateOptions

    @OptionGroup var output: JSONOption

    func run() throws {
        let stateDir = try? state.resolve()
        let diff = RunDiff(a: try load(runA, stateDir), b: try load(runB, stateDir))
        if output.json {
            writeStdout(try encodeJSON(diff) + "\n")
        } else {
            writeStdout(diff.text(style: Style.forDescriptor(1, environment: processEnvironment())))
        }
    }

    /// The run `target` names; a damaged one stops the command (exit 4).
    private func load(_ target: String, _ stateDir: StateDirectory?) throws -> RunExport {
        let (export, journal) = try loadRunExport(target, state: stateDir)
        if let problem = export.damage.first {
            throw fail("\(journal): \(problem); '\(pasteable("runbook verify \(target)", state: stateDir))' says more", .journalIntegrity)
        }
        return export
    }
}
