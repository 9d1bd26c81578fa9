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
        let standIn = RehearsalStandIn(step)
        let log = standIn != nil ? try outputLog() : nil
        try recorder.start(step, attempt: attemptsBefore(step) + 1, outputOffset: log?.size)
        var output: OutputRef?
        if let standIn, let log {
            let (problem, ref) = try runStandIn(standIn, of: step, log: log, env: env, dir: dir)
            output = ref
            if let problem { failures.append(problem) }
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
        record.attempt = attemptsBefore(step) + 1
        record.status = failures.isEmpty ? "rehearsed" : "failed"
        record.durationMs = Int((context.clock.monotonic() - started) * 1000)
        record.findings = failures.isEmpty && warnings.isEmpty ? nil : failures + warnings.map { "warning: " + $0 }
        record.output = output
        record.rehearsedBy = standIn?.recordedName
        record.error = failures.isEmpty ? nil : failures.joined(separator: "; ")
        try recorder.end(step, record)
        showRehearsal(step, failures: failures, warnings: warnings, ran: standIn)
        if !failures.isEmpty { anyFailed = true }
        return .next
    }

    private func showRehearsal(_ step: Step, failures: [String], warnings: [String], ran standIn: RehearsalStandIn?) {
        for failure in failures { screen.say("✘ \(failure)", style.red) }
        for warning in warnings { screen.warn("warning: \(warning)") }
        if failures.isEmpty {
            screen.say([("✔ rehearsed", style.green), (standIn.map { "(its \($0.written) \($0.what) ran instead of it)" } ?? "(nothing ran)", style.dim)])
        } else {
            screen.say([("✘ rehearsal check failed", style.red), ("(nothing of the step ran)", style.dim)])
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

    /// Runs what stands in for the step (its `rehearse=` command, or its rehearse-for block with its own
    /// interpreter) like a step of its own: recorded output, the step's environment, folder, timeout and
    /// expected exit codes. Returns why it failed (nil when it passed) and its output.
    private func runStandIn(
        _ standIn: RehearsalStandIn, of step: Step, log: OutputLog, env: [String: String], dir: String?
    ) throws -> (String?, OutputRef?) {
        let arguments: [String]
        let interpreter: String
        switch standIn {
        case .command(let command):
            screen.line(style.dim("rehearse: \(command)"))
            interpreter = "bash"
            arguments = ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", command]
        case .block(let block):
            if !block.prose.isEmpty { screen.line(block.prose) }
            screen.say("rehearse-for block, line \(block.line) (\(block.language)):", style.dim)
            screen.code(RehearsalChecks.displayCode(block.code, params: plan.params), language: block.language)
            interpreter = block.interpreter
            let command = StepCommand(
                language: block.language, code: block.code, interpreter: interpreter, scratchStem: scratchDir + "/rehearse-for",
                capturingExports: false)
            try overwriteScratchFile(command.codeFile, Array(block.code.utf8))
            arguments = command.arguments
        }
        guard let executable = executables.find(interpreter, path: env["PATH"]) else {
            return ("the interpreter '\(interpreter)' of its \(standIn.written) \(standIn.what) is not on PATH", nil)
        }
        let output = OutputRecorder(log: log, masker: recorder.masker.fresh(), headLimit: request.outputHead, tailLimit: request.outputTail)
        let launch = StepLaunch(
            executable: executable, arguments: arguments, environment: env, directory: dir, interactive: false,
            timeout: plan.timeout(for: step), killGrace: request.killGrace)
        let outcome = try launcher.run(
            launch,
            output: { [console] bytes in
                console.write(bytes)
                output.record(bytes)
            }, tick: { _ in }, onSpawn: { _, _ in })
        let ref = try output.finish()
        // A rehearse-for block may expect exit codes of its own; a rehearse= command has the step's.
        var expected = step.attributes.expectExit
        if case .block(let block) = standIn, let own = block.expectExit { expected = own }
        if outcome.exitCode.map({ expected.contains($0) }) ?? false { return (nil, ref) }
        let how = outcome.timedOut ? "timed out" : outcome.exitCode.map { "exit \($0)" } ?? "killed by a signal"
        switch standIn {
        case .command(let command): return ("its rehearsal command failed (\(how)): \(command)", ref)
        case .block(let block): return ("its rehearse-for block (line \(block.line)) failed (\(how))", ref)
        }
    }
}

/// What runs instead of a step in a rehearsal: its `rehearse=` command or its `{rehearse-for=KEY}` block.
enum RehearsalStandIn {
    case command(String)
    case block(RehearsalBlock)

    /// The step's stand-in; nil when it has none (the rehearsal only checks it).
    init?(_ step: Step) {
        if let block = step.rehearsal {
            self = .block(block)
        } else if let command = step.attributes.rehearse {
            self = .command(command)
        } else {
            return nil
        }
    }

    /// What a `step_end` records in `rehearsed_by`: the attribute that gave it.
    var recordedName: String {
        switch self {
        case .command: return "rehearse"
        case .block: return RehearseForBlocks.attribute
        }
    }

    /// How the runbook writes it, for the screen.
    var written: String {
        switch self {
        case .command: return "rehearse="
        case .block: return RehearseForBlocks.attribute
        }
    }

    /// What it is, in a sentence.
    var what: String {
        switch self {
        case .command: return "command"
        case .block: return "block"
        }
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
