#if canImport(Glibc)
    import Glibc
#endif

extension RunSession {
    /// A code step: ask (unless `--yes`), run, retry as the step allows, and on failure follow its
    /// `on-failure` policy or ask the operator.
    func codeStep(_ step: Step) throws -> Flow {
        guard var code = runnableCode(step) else { return try refuseUnfilled(step) }
        try sayLinesNotRun(step)
        var edited: CodeRef?
        if !request.assumeYes {
            switch try askBeforeRunning(step, code: &code, edited: &edited) {
            case .some(let flow): return flow
            case .none: break
            }
        } else if step.attributes.confirm && !request.rehearsal {
            // --yes alone never confirms a step the runbook says to confirm: --confirm must name it.
            guard request.confirm.contains(step.key) else {
                context.error(
                    "step '\(step.key)' is marked confirm: --yes does not run it by itself. Run with --confirm \(step.key) (or --confirm all) to run it without asking, or without --yes to confirm it by typing"
                )
                return try pause(step, "confirm step under --yes without --confirm")
            }
            try recorder.decision(step, "run", reason: "confirmed by --confirm \(request.confirm.text)")
        }
        if request.rehearsal { return try rehearse(step, code: code) }
        var attempt = attemptsBefore(step)
        var automaticRetriesLeft = step.attributes.retries
        while true {
            attempt += 1
            let result = try execute(step, code: code, edited: edited, attempt: attempt)
            if let signal = result.outcome.runnerSignal {
                // TERM/QUIT stopped the step; HUP (terminal gone) let it finish. Either way nothing more starts.
                let why = signal == SIGHUP ? "hangup: the terminal went away" : "runner received SIG\(signalName(signal))"
                return try pause(step, why, outcome: .stopped(by: signal))
            }
            if result.succeeded { return .next }
            if automaticRetriesLeft > 0 && !result.outcome.interrupted {
                automaticRetriesLeft -= 1
                let retry = step.attributes.retries - automaticRetriesLeft
                let delay = min(60, (step.attributes.retryDelay ?? 2) * pow(2, Double(retry - 1)))
                screen.warn("retrying in \(formatDuration(delay)) (\(retry) of \(step.attributes.retries); Ctrl-C stops waiting and pauses)")
                if let signal = waitBeforeRetry(delay) {
                    return try pause(step, "signal \(signalName(signal)) while waiting to retry", outcome: .stopped(by: signal))
                }
                continue
            }
            if let flow = try failurePolicy(step, interrupted: result.outcome.interrupted) { return flow }
            if let flow = try askAfterFailure(step, interrupted: result.outcome.interrupted) { return flow }
        }
    }

    /// A transcript's lines that are neither commands nor output (`check`'s `transcript-mix`) do
    /// not run: each is said on the screen and noted in the record before the step is asked for.
    private func sayLinesNotRun(_ step: Step) throws {
        guard step.form == .transcript else { return }
        for finding in runbook.diagnostics where finding.rule == "transcript-mix" && finding.line > step.line && finding.line < step.endLine {
            let text = "\(finding.path):\(finding.line):\(finding.column): \(finding.message); it does not run"
            screen.warn(text)
            _ = try recorder.note(step, text)
        }
    }

    /// Asks before a code step until the operator runs it (nil) or the answer ends the step.
    /// `e` edits the code first: the edited code is stored and recorded, and is what runs.
    private func askBeforeRunning(_ step: Step, code: inout String, edited: inout CodeRef?) throws -> Flow? {
        while true {
            let answer = console.ask(codeFolded ? Prompts.stepFolded : Prompts.step)
            switch try sharedAnswer(answer, step, recordsSkipStart: true) {
            case .flow(let flow): return flow
            case .askAgain: continue
            case .notShared: break
            }
            switch answer {
            case .key("r", _), .key("y", _):
                if step.attributes.confirm && !request.rehearsal {
                    guard try confirmTyped(step) else { continue }
                }
                return nil
            case .key("v", _):
                tools.page(code, step: step)
            case .key("e", _):
                if let newCode = try editCode(step, code) {
                    code = newCode.code
                    edited = newCode.ref
                    screen.code(code, language: step.language ?? "")
                }
            default:
                continue
            }
        }
    }

    /// Waits `seconds` before an automatic retry; a stopping signal (INT, TERM, HUP, QUIT) ends
    /// the wait and is returned.
    private func waitBeforeRetry(_ seconds: Double) -> Int32? {
        let end = context.clock.monotonic() + seconds
        while true {
            let left = end - context.clock.monotonic()
            if left <= 0 { return nil }
            var fds = [pollfd(fd: context.signals.readFD, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 1, Int32(min(left, 1) * 1000) + 1)
            if fds[0].revents != 0 {
                for signal in context.signals.drain() where [SIGINT, SIGTERM, SIGHUP, SIGQUIT].contains(signal) { return signal }
            }
        }
    }

    /// A `confirm` step runs only when the operator types its key or `yes` (a single key is too
    /// easy to press by mistake at 3 a.m.); anything else goes back to the question.
    private func confirmTyped(_ step: Step) throws -> Bool {
        switch console.readText(style.bold("this step asks for confirmation: type its key (\(step.key)) or yes to run it: ")) {
        case .key(_, let typed):
            let answer = typed.trimmingSpaces()
            guard answer == step.key || answer.lowercased() == "yes" else {
                screen.warn("not confirmed ('\(answer)'); the step did not run")
                return false
            }
            try recorder.decision(step, "run", reason: "confirmed by typing '\(answer)'")
            return true
        default:
            return false
        }
    }

    /// What a failure leads to without asking: with `--yes` or an `on-failure` policy. Nil: ask.
    private func failurePolicy(_ step: Step, interrupted: Bool) throws -> Flow? {
        if request.assumeYes {
            if interrupted { return try pause(step, "interrupted", outcome: .interrupted) }
            if step.attributes.onFailure == .continue {
                anyFailed = true
                return .next
            }
            try recorder.decision(step, "abort", reason: "step failed under --yes")
            return abort()
        }
        if step.attributes.onFailure == .abort && !interrupted {
            try recorder.decision(step, "abort", reason: "on-failure=abort")
            return abort()
        }
        if step.attributes.onFailure == .continue && !interrupted {
            anyFailed = true
            return .next
        }
        return nil
    }

    /// Asks after a failure until the operator retries (nil) or the answer ends the step; `h`
    /// opens a shell and asks again.
    private func askAfterFailure(_ step: Step, interrupted: Bool) throws -> Flow? {
        if interrupted { screen.say("the step was stopped by Ctrl-C; here Ctrl-C asks before it pauses the run", style.dim) }
        while true {
            let answer = console.ask(Prompts.failure)
            if interrupted, answer == .signal(SIGINT) {
                if let flow = try pauseAfterInterrupt(step) { return flow }
                continue
            }
            switch try sharedAnswer(answer, step, recordsSkipStart: false) {
            case .flow(let flow): return flow
            case .askAgain: continue
            case .notShared: break
            }
            switch answer {
            case .key("r", _):
                try recorder.decision(step, "retry", reason: nil)
                return nil
            case .key("h", _):
                try recorder.decision(step, "shell", reason: nil)
                let env = plan.environment(for: step, runId: runId, carried: carried)
                tools.shell(env: env, dir: plan.directory(for: step, env: env), fallback: runbook.defaults.shell)
            default:
                continue
            }
        }
    }

    /// The operator's editor and shell, for this run.
    var tools: OperatorTools { OperatorTools(console: console, environment: context.environment, scratchDir: scratchDir) }

    /// Edits a step's code; the edited version is stored (masked) in the run folder and recorded.
    private func editCode(_ step: Step, _ code: String) throws -> (code: String, ref: CodeRef)? {
        guard let newCode = try tools.edit(code, step: step) else { return nil }
        // What is stored is masked like everything else; its hash is of the stored text.
        let (stored, maskedCount) = recorder.masker.mask(newCode)
        if maskedCount > 0 {
            screen.warn("\(maskedCount) secret value(s) masked in the stored copy of the edited code")
        }
        let sha = SHA256.hex(stored)
        let relative = "code/\(step.number)-edited-\(sha.prefix(12)).\(StepCommand.fileExtension(step.language ?? ""))"
        try RunFolder.keep(Array(stored.utf8), as: relative, in: runDir)
        let ref = CodeRef(file: relative, sha256: sha)
        var record = JournalRecord(type: .decision)
        record.key = step.key
        record.choice = "edit"
        record.codeSHA256 = step.codeSHA256
        record.editedCode = ref
        try recorder.append(record)
        screen.warn("code edited; the edited version will run and is recorded as \(relative)")
        return (newCode, ref)
    }
}
