import ArgumentParser
import RunbookKit

/// `--state-dir`, shared by every command that reads or writes runs.
struct StateOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Where runs and locks are kept.", valueName: "DIR"), completion: .directory)
    var stateDir: String?

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
