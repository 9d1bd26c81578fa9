import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Rehearsals (`runbook run --dry-run`): the same walk, prompts and params as a live run, but a
/// code step's code never runs. What can be checked without side effects is: its folder, its
/// interpreter, the interpreter's own syntax check on a copy, the commands it calls. A step's
/// `rehearse="…"` command (read-only, e.g. `kubectl diff`) runs instead of it and is recorded as such.
extension RunSession {
    /// Rehearses a code step (after the operator said run, or under `--yes`): records `step_start`
    /// and a `step_end` `rehearsed` (every check passed) or `failed`, with the findings.
    func rehearse(_ step: Step, code: String) throws -> Flow {
        let started = context.clock.monotonic()
        var failures: [String] = []
        var warnings: [String] = []
        let env = plan.environment(for: step, runId: runId, carried: carried)
        let dir = plan.directory(for: step, env: env)
        if let dir, !isDirectory(dir) { failures.append("its folder '\(dir)' does not exist") }
        let interpreter = step.interpreter ?? "bash"
        let executable = executables.find(interpreter, path: env["PATH"])
        if executable == nil { failures.append("interpreter '\(interpreter)' is not on PATH") }
        let log = step.attributes.rehearse != nil ? try outputLog() : nil
        try recorder.start(step, attempt: (attemptsBefore[step.key] ?? 0) + 1, outputOffset: log?.size)
        var output: OutputRef?
        if let command = step.attributes.rehearse, let log {
            let (ok, ref) = try runRehearsalCommand(step, command, log: log, env: env, dir: dir)
            output = ref
            if !ok { failures.append("its rehearsal command failed: \(command)") }
        } else if let executable, let checkArgs = RehearsalChecks.syntaxCheck(language: step.language ?? "", interpreter: interpreter) {
            if let problem = try syntaxCheck(step, code: code, executable: executable, interpreter: interpreter, arguments: checkArgs, env: env) {
                failures.append(problem)
            }
        } else if executable != nil {
            warnings.append("no syntax check for '\(step.language ?? interpreter)': the code was not checked")
        }
        if StepLanguages.shellLike.contains((step.language ?? "").lowercased()) {
            for name in RehearsalChecks.commandsUsed(code) where executables.find(name, path: env["PATH"]) == nil {
                warnings.append("'\(name)' is not on PATH here")
            }
        }
        var record = JournalRecord(type: .stepEnd)
        record.key = step.key
        record.number = step.number
        record.attempt = (attemptsBefore[step.key] ?? 0) + 1
        record.status = failures.isEmpty ? "rehearsed" : "failed"
        record.durationMs = Int((context.clock.monotonic() - started) * 1000)
        record.findings = failures.isEmpty && warnings.isEmpty ? nil : failures + warnings.map { "warning: " + $0 }
        record.output = output
        record.error = failures.isEmpty ? nil : failures.joined(separator: "; ")
        try recorder.end(record)
        showRehearsal(step, failures: failures, warnings: warnings, ran: step.attributes.rehearse != nil)
        if !failures.isEmpty { anyFailed = true }
        return .next
    }

    private func showRehearsal(_ step: Step, failures: [String], warnings: [String], ran: Bool) {
        for failure in failures { screen.line(style.red("✘ \(failure)")) }
        for warning in warnings { screen.warn("warning: \(warning)") }
        if failures.isEmpty {
            screen.line(style.green("✔ rehearsed") + style.dim(ran ? " (its rehearse= command ran instead of it)" : " (nothing ran)"))
        } else {
            screen.line(style.red("✘ rehearsal check failed") + style.dim(" (nothing of the step ran)"))
        }
    }

    /// The interpreter's syntax check on a copy of the code; the problem, or nil when it passed.
    private func syntaxCheck(
        _ step: Step, code: String, executable: String, interpreter: String, arguments: [String], env: [String: String]
    ) throws -> String? {
        let file = scratchDir + "/rehearse." + StepCommand.fileExtension(step.language ?? "")
        try overwriteScratchFile(file, Array(code.utf8))
        let collected = CollectedOutput()
        let launch = StepLaunch(
            executable: executable, arguments: [interpreter] + arguments + [file], environment: env, directory: nil,
            interactive: false, timeout: 10, killGrace: 1)
        let outcome = try launcher.run(launch, output: { collected.append($0) }, tick: { _ in }, onSpawn: { _, _ in })
        guard outcome.exitCode != 0 else { return nil }
        let text = collected.text.replacingOccurrences(of: file, with: "line").split(separator: "\n").prefix(3).joined(separator: " / ")
        let masked = recorder.masker.mask(text).0
        return "syntax check '\(interpreter) \(arguments.first ?? "")' failed\(masked.isEmpty ? "" : ": \(masked)")"
    }

    /// Runs a step's `rehearse=` command as a step of its own (recorded output, same environment).
    private func runRehearsalCommand(
        _ step: Step, _ command: String, log: OutputLog, env: [String: String], dir: String?
    ) throws -> (Bool, OutputRef?) {
        screen.line(style.dim("rehearse: \(command)"))
        guard let shell = executables.find("bash", path: env["PATH"]) else { return (false, nil) }
        let output = OutputRecorder(log: log, masker: recorder.masker.fresh(), headLimit: request.outputHead, tailLimit: request.outputTail)
        let launch = StepLaunch(
            executable: shell, arguments: ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", command], environment: env,
            directory: dir, interactive: false, timeout: plan.timeout(for: step), killGrace: request.killGrace)
        let outcome = try launcher.run(
            launch,
            output: { [console] bytes in
                console.write(bytes)
                output.record(bytes)
            }, tick: { _ in }, onSpawn: { _, _ in })
        let ref = try output.finish()
        return (outcome.exitCode.map { step.attributes.expectExit.contains($0) } ?? false, ref)
    }
}

/// Output collected in memory (a syntax check's few lines).
private final class CollectedOutput {
    private var bytes: [UInt8] = []

    func append(_ chunk: UnsafeRawBufferPointer) {
        if bytes.count < 16 * 1024 { bytes.append(contentsOf: chunk.prefix(16 * 1024 - bytes.count)) }
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }
}
