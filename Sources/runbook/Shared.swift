import ArgumentParser
import RunbookKit
#if canImport(Glibc)
import Glibc
#endif

/// Prints `runbook: error: <message>` and returns the exit code to throw.
func fail(_ message: String, _ status: ExitStatus) -> ExitCode {
    writeStderr("runbook: error: \(message)\n")
    return ExitCode(status.rawValue)
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
        sets.map { pair in
            let eq = pair.firstIndex(of: "=")!
            return (String(pair[..<eq]), String(pair[pair.index(after: eq)...]))
        }
    }
}

/// Reads and parses a runbook; an unreadable file or one with errors stops with exit 2, the errors printed.
func loadRunbook(_ path: String, environment: [String: String], whatNext: String) throws -> Runbook {
    let runbook: Runbook
    do {
        runbook = try RunbookParser.parse(path: path)
    } catch {
        throw fail("\(error.description)\(whatNext.isEmpty ? "" : "; \(whatNext)")", .badInput)
    }
    if runbook.hasErrors {
        let style = Style.forDescriptor(2, environment: environment)
        for diagnostic in runbook.diagnostics where diagnostic.severity == .error {
            writeStderr(DiagnosticText.render(diagnostic, style: style) + "\n")
        }
        throw fail("\(path) has errors (see 'runbook check \(path)'); nothing was run", .badInput)
    }
    return runbook
}

/// The state directory from --state-dir and the environment.
func resolveState(_ explicit: String?, environment: [String: String]) throws -> StateDirectory {
    do {
        return try StateDirectory.resolve(explicit: explicit, environment: environment)
    } catch {
        throw fail(error.message, .badInput)
    }
}

/// Runs the request with answers from the terminal (a key at a time) or from piped standard input,
/// and exits the way the outcome says; after an interrupt the process dies by SIGINT.
func launch(_ request: RunRequest, runbook: Runbook, signals: SignalPipe, environment: [String: String]) throws {
    var request = request
    if let grace = environment["RUNBOOK_KILL_GRACE"].flatMap(Double.init), grace >= 0 { request.killGrace = grace }
    let console = Console(source: isatty(0) == 1 ? .terminal : .lines,
                          style: .forDescriptor(1, environment: environment),
                          stdoutIsTerminal: isatty(1) == 1, signals: signals)
    let status = Runner(request: request, runbook: runbook, console: console).run()
    withExtendedLifetime(signals) {}
    if status == .interrupted {
        // Die by the signal, so a calling shell script sees the interrupt (cooperative exit).
        signal(SIGINT, SIG_DFL)
        raise(SIGINT)
    }
    if status != .ok { throw ExitCode(status.rawValue) }
}
