import ArgumentParser
import RunbookKit

#if canImport(Glibc)
    import Glibc
#endif

/// Prints `runbook: error: <message>` (on a terminal, broken between words to fit it) and returns
/// the exit code to throw.
func fail(_ message: String, _ status: ExitStatus) -> ExitCode {
    writeStderr(messageLines("runbook: error: ", message, width: standardErrorWidth()))
    return ExitCode(status.rawValue)
}

/// Reads and parses a runbook; an unreadable file or one with errors stops with exit 2, the errors printed.
func loadRunbook(_ path: String, whatNext: String) throws -> Runbook {
    let runbook: Runbook
    do {
        runbook = try RunbookParser.parse(path: path)
    } catch {
        throw fail("\(error.description)\(whatNext.isEmpty ? "" : "; \(whatNext)")", .badInput)
    }
    if runbook.hasErrors {
        let style = Style.forDescriptor(2, environment: processEnvironment())
        for diagnostic in runbook.diagnostics where diagnostic.severity == .error {
            writeStderr(DiagnosticText.render(diagnostic, style: style) + "\n")
        }
        throw fail("\(path) has errors (see 'runbook check \(path)'); nothing was run", .badInput)
    }
    return runbook
}

/// Loads the run `target` names (a run id, a run folder or a journal file) for an export or a diff;
/// a journal that cannot be read stops with exit 2, one that is damaged with exit 4.
func loadRunExport(_ target: String, state: StateDirectory?) throws -> (export: RunExport, journal: String) {
    let journal = RunCatalog.journalPath(for: target, state: state)
    do {
        return (try RunExport.load(journal: journal, state: state), journal)
    } catch {
        throw fail(
            error.isDamage
                ? error.message : "\(error.message); give a run id ('\(pasteable("runbook runs", state: state))' lists them), a run folder or a journal file",
            error.isDamage ? .journalIntegrity : .badInput)
    }
}

/// `command` as the operator can paste it: with `--state-dir` when `state` is not where the
/// environment alone finds the runs.
func pasteable(_ command: String, state: StateDirectory?) -> String {
    state?.command(command, environment: processEnvironment()) ?? command
}

/// The exit code of each run outcome: the one place outcomes become exit codes.
func exitStatus(for outcome: RunOutcome) -> ExitStatus {
    switch outcome {
    case .completed: return .ok
    case .completedWithFailures, .aborted: return .stepFailed
    case .paused: return .paused
    case .interrupted: return .interrupted
    case .hangup: return .hangup
    case .terminated: return .terminated
    case .refused: return .badInput
    case .locked: return .locked
    case .damagedJournal: return .journalIntegrity
    case .journalUnwritable: return .journalIO
    }
}

/// Exits the way the outcome says; after an interrupt the process dies by SIGINT, so a calling
/// shell script sees the interrupt (cooperative exit).
func finish(_ outcome: RunOutcome, signals: SignalPipe) throws {
    withExtendedLifetime(signals) {}
    let status = exitStatus(for: outcome)
    if status == .interrupted {
        signal(SIGINT, SIG_DFL)
        raise(SIGINT)
    }
    if status != .ok { throw ExitCode(status.rawValue) }
}

/// Writes text to standard error unbuffered.
func writeStderr(_ text: String) { DescriptorOutput(fd: 2).write(text) }

/// Writes text to standard output unbuffered (so it interleaves correctly with standard error).
func writeStdout(_ text: String) { DescriptorOutput(fd: 1).write(text) }
