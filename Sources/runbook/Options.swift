import ArgumentParser
import RunbookKit

/// `--state-dir`, shared by every command that reads or writes runs.
struct StateOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Where runs and locks are kept.", valueName: "DIR"), completion: .directory)
    var stateDir: String?

    /// An empty `--state-dir` (a script's unset variable) is a usage error, never the default folder.
    func validate() throws {
        if stateDir?.isEmpty == true { throw ValidationError(StateDirectory.emptyOption(environment: processEnvironment()).message) }
    }

    /// The state directory from `--state-dir` or the environment; exit 2 when there is none.
    func resolve() throws -> StateDirectory {
        do {
            return try StateDirectory.resolve(explicit: stateDir, environment: processEnvironment())
        } catch {
            throw fail(error.message, .badInput)
        }
    }

    /// The real context for a run (signals, terminal, clock, user, host, state directory).
    func context(signals: SignalPipe) throws -> RunbookContext {
        do {
            return try RunbookContext.system(signals: signals, stateDirectory: stateDir)
        } catch {
            throw fail(error.message, .badInput)
        }
    }
}

/// `--json`, shared by every command that reports.
struct JSONOption: ParsableArguments {
    @Flag(help: "Print the result as JSON on standard output (sorted keys, snake_case).")
    var json = false
}

/// The `--set NAME=VALUE` options shared by `run` and `resume`.
struct ParamOptions: ParsableArguments {
    @Option(name: .customLong("set"), help: ArgumentHelp("Set a param (repeatable).", valueName: "NAME=VALUE"))
    var sets: [String] = []

    func validate() throws {
        for pair in sets where !pair.contains("=") || pair.hasPrefix("=") {
            throw ValidationError("--set takes NAME=VALUE, not '\(pair)'")
        }
    }

    /// The pairs, split at the first `=`, in order.
    var pairs: [(String, String)] {
        sets.compactMap { pair in
            guard let eq = pair.firstIndex(of: "=") else { return nil }
            return (String(pair[..<eq]), String(pair[pair.index(after: eq)...]))
        }
    }
}

/// `--confirm KEY|all`, shared by `run` and `resume`.
struct ConfirmOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "With --yes, run this confirm step without asking (repeatable; 'all' for every one). Without it, --yes pauses at a confirm step.",
            valueName: "KEY|all"))
    var confirm: [String] = []
}

/// The decisions a resume may need, given up front (recorded as such; `--yes` alone never decides them).
struct DecisionOptions: ParsableArguments {
    @Option(
        name: .customLong("accept-changes"),
        help: ArgumentHelp(
            "Accept the runbook as it is now for this step (repeatable; 'all' for every step): keep a changed step's result, run an added step, take a renamed step as the one that finished, record a removed step as removed. 'all' also goes on with a runbook that is no longer the one the run started with.",
            valueName: "KEY|all"))
    var acceptChanges: [String] = []

    @Option(
        name: .customLong("rerun-unknown"),
        help: ArgumentHelp("Run again this step whose outcome is unknown (repeatable; 'all' for every such step).", valueName: "KEY|all"))
    var rerunUnknown: [String] = []

    @Flag(help: "Start a new run, even though the runbook has an unfinished one (which stays as it is).")
    var newRun = false

    /// Copies the decisions into `request`.
    func apply(to request: inout RunRequest) {
        request.acceptChanges = KeySelection(acceptChanges)
        request.rerunUnknown = KeySelection(rerunUnknown)
        request.newRun = newRun
    }
}
