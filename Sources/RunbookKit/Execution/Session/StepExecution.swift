#if canImport(Glibc)
    import Glibc
#endif

extension RunSession {
    /// What one execution of a step's code gave.
    struct Execution {
        var outcome: StepOutcome
        var succeeded: Bool
    }

    /// Runs the code once: `step_start` (synced, with the `step_end` before it) before the spawn,
    /// the output appended to the run's output log as it comes (masked, head and tail kept) and
    /// synced when the step ends, then `step_end`, written at once and made durable by the next
    /// synced record (the next step's `step_start`, `run_end`) or before the runner waits for
    /// the operator, whichever comes first.
    func execute(_ step: Step, code: String, edited: CodeRef?, attempt: Int) throws -> Execution {
        var env = plan.environment(for: step, runId: runId, carried: carried)
        let dir = plan.directory(for: step, env: env)
        if let dir, !isDirectory(dir) {
            screen.say("the step's folder '\(dir)' does not exist", style.red)
            try recorder.start(step, attempt: attempt, edited: edited)
            try recorder.end(step, status: "failed", reason: nil, error: "folder '\(dir)' does not exist")
            return Execution(outcome: StepOutcome(), succeeded: false)
        }
        let interpreter = step.interpreter ?? "bash"
        guard let executable = executables.find(interpreter, path: env["PATH"]) else {
            try recorder.start(step, attempt: attempt, edited: edited)
            try recorder.end(step, status: "failed", reason: nil, error: "interpreter '\(interpreter)' not found")
            screen.say("interpreter '\(interpreter)' is not on PATH", style.red)
            return Execution(outcome: StepOutcome(), succeeded: false)
        }
        // Scratch files are reused from step to step (the folder is private and removed at the end).
        // A transcript runs command by command, with an end marker after each (TranscriptRun.swift).
        let transcript = transcriptRun(step, edited: edited)
        let program = transcript?.program ?? code
        let command = StepCommand(language: step.language ?? "", code: program, interpreter: interpreter, scratchStem: scratchDir + "/step")
        try overwriteScratchFile(command.codeFile, Array(program.utf8))
        if let wrapper = command.wrapper { try overwriteScratchFile(wrapper.path, Array(wrapper.text.utf8)) }
        // Exported variables come back through memory, never a file: they may hold secrets.
        let exportChannel = command.capturesExports ? try ExportChannel(fallbackFolder: scratchDir) : nil
        if let exportChannel { env[StepCommand.envFileVariable] = exportChannel.path }
        let trap = FailingCommandTrap(scratchDir: scratchDir)
        let trapped = try trap.arm(env: &env, interpreter: interpreter, written: &errTrapWritten)

        let log = try outputLog()
        try recorder.start(step, attempt: attempt, edited: edited, outputOffset: log.size)
        crashPoint("after_step_start_sync")
        let launch = StepLaunch(
            executable: executable, arguments: command.arguments, environment: env, directory: dir,
            interactive: step.attributes.interactive, timeout: plan.timeout(for: step), killGrace: request.killGrace)
        let recorder = OutputRecorder(
            log: log, masker: self.recorder.masker.fresh(), headLimit: request.outputHead, tailLimit: request.outputTail)
        let (outcome, spawnError) = try spawn(step, launch, attempt: attempt, recorder: recorder, transcript: transcript)
        if spawnError == nil {
            transcript?.finish(failed: !(outcome.exitCode.map(step.attributes.expectExit.contains) ?? false)) { [console] bytes in
                console.write(bytes)
                recorder.record(bytes)
            }
        }
        let output = try recorder.finish()
        if let spawnError {
            try self.recorder.end(step, status: "failed", reason: nil, output: output, error: spawnError)
            return Execution(outcome: StepOutcome(), succeeded: false)
        }
        crashPoint("after_output_sync")
        for note in transcript?.notes ?? [] { _ = try self.recorder.note(step, note) }
        let failedAt =
            trapped
            ? trap.failure(
                exitCode: outcome.exitCode, code: code,
                fileLine: edited != nil || step.form == .transcript ? nil : { [runbook] in "\(runbook.path):\(step.line + $0)" }) : nil
        return try recordEnd(
            step, outcome: outcome, output: output, attempt: attempt, exportChannel: exportChannel, env: env, failedAt: failedAt)
    }

    /// Starts the process with a status line, streaming its output to the screen and the record.
    /// Returns its outcome, or the reason it could not start.
    private func spawn(
        _ step: Step, _ launch: StepLaunch, attempt: Int, recorder output: OutputRecorder, transcript: TranscriptRun?
    ) throws -> (StepOutcome, String?) {
        let status = stepProgress(console, interactive: step.attributes.interactive)
        let label = "step \(step.number) of \(runbook.steps.count) · \(step.key)"
        status?.begin("\(label) · 0s")
        defer { status?.end() }
        transcript?.begin()
        do {
            let outcome = try launcher.run(
                launch,
                output: { [console] bytes in
                    guard let transcript else {
                        status?.willWrite(bytes)
                        console.write(bytes)
                        output.record(bytes)
                        return
                    }
                    transcript.feed(bytes) {
                        status?.willWrite($0)
                        console.write($0)
                        output.record($0)
                    }
                },
                tick: { elapsed in status?.update("\(label) · \(formatDuration(elapsed.rounded()))") },
                onSpawn: { pid, starttime in
                    var spawned = JournalRecord(type: .stepSpawned)
                    spawned.key = step.key
                    spawned.attempt = attempt
                    spawned.pid = pid
                    spawned.pgid = pid
                    spawned.starttime = starttime
                    try self.recorder.append(spawned, sync: false)
                })
            return (outcome, nil)
        } catch let error as SpawnError {
            status?.end()
            screen.say(error.message, style.red)
            return (StepOutcome(), error.message)
        }
    }

    /// Reads back exports, writes `step_end` and shows the result.
    private func recordEnd(
        _ step: Step, outcome: StepOutcome, output: OutputRef, attempt: Int, exportChannel: ExportChannel?,
        env: [String: String], failedAt: String?
    ) throws -> Execution {
        var statusText: String
        if outcome.timedOut {
            statusText = "timed_out"
        } else if outcome.stoppedOnTerminal {
            statusText = "failed"
        } else if outcome.interrupted {
            statusText = "interrupted"
        } else if let code = outcome.exitCode, step.attributes.expectExit.contains(code) {
            statusText = "ok"
        } else {
            statusText = "failed"
        }
        var succeeded = statusText == "ok"
        let changes = succeeded ? readExports(exportChannel, env: env) : ExportCapture.Changes()
        if changes.problem != nil {
            // Over a limit: the step fails here, and later steps get none of what it changed.
            succeeded = false
            statusText = "failed"
        }
        for (name, value) in changes.values { carried[name] = value }
        for name in changes.unset { carried.removeValue(forKey: name) }
        var record = JournalRecord(type: .stepEnd)
        record.key = step.key
        record.number = step.number
        record.attempt = attempt
        record.status = statusText
        record.exitCode = outcome.exitCode
        record.signal = outcome.signal.map(signalName)
        record.durationMs = outcome.durationMs
        record.timedOut = outcome.timedOut ? true : nil
        record.signalsSent = outcome.signalsSent.isEmpty ? nil : outcome.signalsSent
        record.output = output
        record.leftovers = outcome.leftovers.isEmpty ? nil : outcome.leftovers
        record.exports = changes.exports.isEmpty ? nil : changes.exports
        record.unset = changes.unset.isEmpty ? nil : changes.unset
        if outcome.stoppedOnTerminal {
            record.error = "the step tried to use the terminal and was stopped; mark it {interactive} in the runbook"
        }
        if let problem = changes.problem { record.error = problem }
        let failedAt = statusText == "failed" && record.error == nil ? failedAt.map { recorder.masker.mask($0).0 } : nil
        record.error = record.error ?? failedAt
        try recorder.end(step, record)
        screen.result(step, outcome: outcome, status: statusText, output: output, exports: changes.exports, timeout: plan.timeoutText(for: step))
        if let problem = changes.problem { screen.say(problem, style.red) }
        if let failedAt { screen.failure(failedAt) }
        return Execution(outcome: outcome, succeeded: succeeded)
    }

    /// What a successful step exported, from its wrapper's in-memory dump (nothing when the
    /// step ran without the wrapper).
    private func readExports(_ channel: ExportChannel?, env: [String: String]) -> ExportCapture.Changes {
        guard let channel else { return ExportCapture.Changes() }
        guard let dump = channel.contents() else {
            var refused = ExportCapture.Changes()
            refused.problem = "the step's exported variables are over 64 MiB; later steps do not get them"
            return refused
        }
        return ExportCapture.read(
            dump, passed: env, masker: recorder.masker, secretNames: plan.secretNames,
            wasCarried: { [carried, context] name in carried[name] != nil || context.environment[name] != nil })
    }
}
