import Foundation

extension RunSession {
    /// How a resume goes on after its decisions.
    enum ResumeFlow {
        /// Run the steps; those numbered here finished earlier (with this status) and are not run.
        case proceed([Int: String])
        case stop(RunOutcome)
    }

    /// The records a resume starts with: a cut torn tail, who resumed, a changed runbook (with a
    /// byte-exact copy beside the original), and params given a different value.
    func recordResume(_ resume: Resume) throws {
        if let repair = resume.repair {
            var record = JournalRecord(type: .recovered)
            record.text =
                "cut a torn last record of \(repair.discardedBytes) bytes (sha256 \(repair.discardedSHA256)); the original journal is kept as \((repair.backup as NSString).lastPathComponent)"
            try recorder.append(record)
        }
        let startSHA = resume.history.runStart.runbook?.sha256
        var note = JournalRecord(type: .note)
        var text = "resumed by \(context.user)@\(context.host) (pid \(context.pid))"
        note.pid = context.pid
        if runbook.sha256 != startSHA {
            let copy = "runbook-\(runbook.sha256.prefix(12)).md"
            try RunFolder.keep(runbook.rawBytes, as: copy, in: runDir)
            text += "; the runbook changed since the run started: sha256 \(startSHA ?? "?") → \(runbook.sha256) (copy: \(copy))"
        }
        note.text = text
        try recorder.append(note)
        // Params given a different value on resume are recorded (secret ones by name only).
        let recorded = Dictionary((resume.history.runStart.params ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for p in plan.params where p.source != "journal" {
            let before = recorded[p.param.name]
            guard p.param.secret || before?.value != p.value else { continue }
            var change = JournalRecord(type: .note)
            change.params = [ParamValue(name: p.param.name, value: p.param.secret ? nil : p.value, secret: p.param.secret, source: p.source)]
            change.text =
                p.param.secret
                ? "secret param \(p.param.name) given again on resume (\(p.source))"
                : "param \(p.param.name) is '\(p.value)' from here on (\(p.source)); it was '\(before?.value ?? "")'"
            try recorder.append(change)
        }
    }

    /// Says what the resume found, restores exported variables, and asks the operator wherever
    /// the record cannot say what to do (`--yes` never guesses: it pauses).
    func decideResume(_ resume: Resume) throws -> ResumeFlow {
        let history = resume.history
        let start = history.runStart
        screen.line(style.bold("Resuming run \(runId)") + " (started \(start.ts) by \(start.operatorName ?? "?")@\(start.host ?? "?"))")
        if let repair = resume.repair {
            screen.warn("the journal ended in a torn record (a crash mid-write): cut \(repair.discardedBytes) bytes, original kept as \(repair.backup)")
        }
        if resume.plan.runbookChanged {
            screen.warn("the runbook changed since this run started; steps are matched by key and their code compared")
        }
        for key in resume.plan.removedKeys {
            screen.warn("step '\(key)' is in the journal but no longer in the runbook (removed or renamed)")
            try recorder.note("removed from the runbook since it was recorded", key: key)
        }
        carried = resume.plan.carried
        if !resume.plan.lostSecrets.isEmpty {
            screen.warn(
                "secret variables exported earlier are not stored and cannot be restored: \(resume.plan.lostSecrets.joined(separator: ", ")); re-run the step that exports them if later steps need them"
            )
        }
        var done: [Int: String] = [:]
        for stepPlan in resume.plan.steps {
            guard let step = runbook.steps.first(where: { $0.number == stepPlan.number }) else { continue }
            attemptsBefore[step.key] = stepPlan.attempts
            if case .stop(let outcome) = try decide(step, stepPlan.decision, done: &done) { return .stop(outcome) }
        }
        return .proceed(done)
    }

    private func decide(_ step: Step, _ decision: ResumePlan.Decision, done: inout [Int: String]) throws -> Flow {
        switch decision {
        case .run:
            return .next
        case .done(let status):
            done[step.number] = status
            recorder.count(status)
            return .next
        case .changed(let status, let recorded, let current):
            return try decideChanged(step, status: status, recorded: recorded, current: current, done: &done)
        case .stillRunning(let pid):
            context.error("step '\(step.key)' of this run is still running (pid \(pid)); wait for it to end or stop it, then resume")
            return .stop(.locked)
        case .unknown(let idempotent):
            return try decideUnknown(step, idempotent: idempotent, done: &done)
        }
    }

    private func decideChanged(_ step: Step, status: String, recorded: String, current: String?, done: inout [Int: String]) throws -> Flow {
        screen.line(
            "\n"
                + style.yellow(
                    "step \(step.number) [\(step.key)] was \(status), but its code changed since it ran (\(recorded.prefix(12)) → \(current?.prefix(12) ?? "?"))"
                ))
        screen.code(step.code ?? "", language: step.language ?? "")
        if request.assumeYes {
            context.error("step '\(step.key)' changed since it ran; --yes will not guess. Resume without --yes and answer, or start a new run")
            return .stop(.paused)
        }
        switch console.ask(Prompts.changed(status: status)) {
        case .key("k", _):
            try recorder.decision(step, "keep", reason: "code changed since it ran; kept the earlier result")
            done[step.number] = status
            recorder.count(status)
        case .key("r", _):
            try recorder.decision(step, "rerun", reason: "code changed since it ran")
        case .signal(let s):
            return .stop(.stopped(by: s))
        default:
            try recorder.decision(step, "pause", reason: "resume needs a decision on changed step")
            return .stop(.paused)
        }
        return .next
    }

    private func decideUnknown(_ step: Step, idempotent: Bool, done: inout [Int: String]) throws -> Flow {
        screen.line("\n" + style.yellow("step \(step.number) [\(step.key)] was started but its outcome was never recorded (the runner stopped while it ran)"))
        if idempotent {
            screen.line(style.dim("it is marked idempotent: it runs again"))
            try recorder.decision(step, "rerun", reason: "outcome unknown; idempotent")
            return .next
        }
        if request.assumeYes {
            context.error(
                "step '\(step.key)' has an unknown outcome and is not marked idempotent; --yes will not guess. Check what it did, then resume without --yes and answer"
            )
            return .stop(.paused)
        }
        switch console.ask(Prompts.unknownOutcome) {
        case .key("r", _):
            try recorder.decision(step, "rerun", reason: "outcome unknown")
        case .key("d", _):
            try recorder.decision(step, "done", reason: "outcome unknown; the operator says it finished")
            try recorder.end(step, status: "done", reason: "confirmed by the operator after an interrupted run")
            done[step.number] = "done"
        case .key("s", let rest):
            guard let reason = console.reason(rest, prompt: "reason for skipping: ") else { return .stop(.paused) }
            try recorder.decision(step, "skip", reason: reason)
            try recorder.end(step, status: "skipped", reason: reason)
            done[step.number] = "skipped"
        case .signal(let s):
            return .stop(.stopped(by: s))
        default:
            try recorder.decision(step, "pause", reason: "resume needs a decision on a step with an unknown outcome")
            return .stop(.paused)
        }
        return .next
    }
}
