import Foundation

extension RunSession {
    /// How a resume goes on after its decisions.
    enum ResumeFlow {
        /// Run the steps; those the recorder marked finished earlier are not run.
        case proceed
        case stop(RunOutcome)
    }

    /// The records a resume starts with: who resumed, a changed runbook (with a byte-exact copy
    /// beside the original, recorded as the run's runbook from here on), and params given a
    /// different value.
    func recordResume(_ resume: Resume) throws {
        let startSHA = resume.history.latestRunbook?.sha256 ?? resume.history.runStart.runbook?.sha256
        var note = JournalRecord(type: .note)
        var text = "resumed by \(context.user)@\(context.host) (pid \(context.pid))"
        note.pid = context.pid
        note.operatorName = context.user
        note.host = context.host
        if runbook.sha256 != startSHA {
            text += "; the runbook changed since the run started: sha256 \(startSHA ?? "?") → \(runbook.sha256)"
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
        try recordPlaceholderChanges(recorded: resume.history.runStart.placeholders ?? [])
    }

    /// Says what the resume found, lists every step, restores exported variables, and settles
    /// every step that needs a decision: by the operator's flags, or by asking (`--yes` never
    /// guesses: it pauses, naming each).
    func decideResume(_ resume: Resume) throws -> ResumeFlow {
        let history = resume.history
        let start = history.runStart
        screen.say([("Resuming run \(runId)", style.bold), ("(started \(start.ts) by \(start.operatorName ?? "?")@\(start.host ?? "?"))", { $0 })])
        if let repair = resume.repair {
            screen.warn("the journal ended in a torn record (a crash mid-write): cut \(repair.discardedBytes) bytes, original kept as \(repair.backup)")
        }
        if resume.plan.runbookChanged {
            screen.warn("the runbook changed since this run started; steps are matched by key and their code compared")
        }
        if let stop = try checkIdentity(resume.plan) { return .stop(stop) }
        showPreview(resume.plan)
        carried = resume.plan.carried
        if !resume.plan.lostSecrets.isEmpty {
            screen.warn(
                "secret variables exported earlier are not stored and cannot be restored: \(resume.plan.lostSecrets.joined(separator: ", ")); re-run the step that exports them if later steps need them"
            )
        }
        if request.assumeYes {
            let open = undecided(resume.plan)
            if !open.isEmpty {
                for stepPlan in resume.plan.steps {
                    guard let step = step(numbered: stepPlan.number) else { continue }
                    // What finished earlier stays finished in the summary: only the rest was not reached.
                    if case .done(let status) = stepPlan.decision { recorder.finishedEarlier(step, status) }
                    explain(step, stepPlan.decision)
                }
                for problem in open { context.error(problem) }
                context.error(
                    "--yes will not guess: nothing ran. Decide with --accept-changes KEY|all and --rerun-unknown KEY|all, or resume without --yes and answer")
                try recorder.pauseRun(reason: "resume needs decisions --yes does not make: " + open.joined(separator: "; "))
                return .stop(.paused)
            }
        }
        for removed in resume.plan.removed {
            if case .stop(let outcome) = try decideRemoved(removed) { return .stop(outcome) }
        }
        for stepPlan in resume.plan.steps {
            guard let step = step(numbered: stepPlan.number) else { continue }
            recorder.setAttemptsBefore(step, stepPlan.attempts)
            if case .stop(let outcome) = try decide(step, stepPlan.decision) { return .stop(outcome) }
        }
        try recordRunbookSwitch(resume)
        return .proceed
    }

    /// The runbook's step numbered `number`: at its place (steps are numbered in order from 1),
    /// found in constant time, not by a search per step of a 33,333-step runbook.
    private func step(numbered number: Int) -> Step? {
        let steps = runbook.steps
        if steps.indices.contains(number - 1), steps[number - 1].number == number { return steps[number - 1] }
        return steps.first { $0.number == number }
    }

    /// Every decision is settled: from here on the run's runbook is the one as it is now. A
    /// byte-exact copy is kept beside the original and recorded, so the next resume compares with it.
    private func recordRunbookSwitch(_ resume: Resume) throws {
        let before = resume.history.latestRunbook?.sha256 ?? resume.history.runStart.runbook?.sha256
        guard runbook.sha256 != before else { return }
        let copy = "runbook-\(runbook.sha256.prefix(12)).md"
        try RunFolder.keep(runbook.rawBytes, as: copy, in: runDir)
        var note = JournalRecord(type: .note)
        note.text = "the run goes on with the runbook as it is now: sha256 \(before ?? "?") → \(runbook.sha256) (copy: \(copy))"
        note.runbook = RunbookRef(
            path: request.runbookPath, realpath: plan.runbookRealpath, sha256: runbook.sha256, bytes: runbook.byteCount, snapshot: copy)
        note.totalSteps = runbook.steps.count
        try recorder.append(note)
    }

    /// Stops (paused) when the runbook is no longer the one the run started with, unless
    /// `--accept-changes all` says to go on with it.
    private func checkIdentity(_ plan: ResumePlan) throws -> RunOutcome? {
        guard !plan.sameRunbook else { return nil }
        if request.acceptChanges == .all {
            screen.warn("\(runbook.path) is not the runbook this run started with (\(plan.identity)); going on with it: --accept-changes all")
            try recorder.note("the runbook is not the one the run started with (\(plan.identity)); the operator went on with it (--accept-changes all)")
            return nil
        }
        let newRun = context.stateDirectory.command("runbook run --new-run \(shellQuoted(request.runbookPath))", environment: context.environment)
        context.error(
            "\(runbook.path) is not the runbook this run started with: \(plan.identity). Nothing ran. To go on with the runbook as it is now, resume with --accept-changes all; to start a new run of it, resume with --new-run (or '\(newRun)')"
        )
        try recorder.pauseRun(reason: "the runbook is not the one the run started with (\(plan.identity))")
        return .paused
    }

    /// Every step as the journal and the runbook now see it, before anything runs. A stretch of
    /// `Folding.minimum` or more steps in a row that finished alike, or that are all still
    /// to run, is one line naming its first and last key and how many; a step that needs a
    /// decision always has its own line, and a folded list says so and where every step is listed.
    private func showPreview(_ plan: ResumePlan) {
        screen.line(style.bold("Steps") + style.dim(" (the journal compared with the runbook as it is now)"))
        let preview = ResumePreview(plan)
        for row in preview.rows {
            let padded = row.label + String(repeating: " ", count: max(1, 10 - row.label.count))
            screen.line("  \(padded)\(row.key)\(row.detail.isEmpty ? "" : style.dim("  " + row.detail))")
        }
        if preview.folded > 0 {
            let status = context.stateDirectory.command("runbook status \(runId)", environment: context.environment)
            screen.say(
                "  (\(preview.folded) steps shown in stretches of \(Folding.minimum) or more alike; \(status) lists each step)", style.dim,
                indent: "   ")
        }
    }

    /// What `--yes` cannot settle with the flags given, one line each.
    private func undecided(_ plan: ResumePlan) -> [String] {
        var open: [String] = []
        let accept = request.acceptChanges
        for removed in plan.removed where removed.finished == nil && !accept.contains(removed.key) {
            open.append("step '\(removed.key)' is no longer in the runbook and never finished (--accept-changes \(removed.key) records it removed)")
        }
        for step in plan.steps {
            switch step.decision {
            case .changed where !accept.contains(step.key):
                open.append("step '\(step.key)' finished but its code changed since it ran (--accept-changes \(step.key) keeps the result)")
            case .added where !accept.contains(step.key):
                open.append("step '\(step.key)' is new since the run started (--accept-changes \(step.key) runs it)")
            case .renamed(let from, .some) where !accept.contains(step.key, or: from):
                open.append("step '\(step.key)' looks like '\(from)', which finished (--accept-changes \(step.key) takes it as that step)")
            case .unknown(let idempotent, let change, _) where (!idempotent || change != nil) && !request.rerunUnknown.contains(step.key):
                open.append(
                    "step '\(step.key)' has an unknown outcome\(change == nil ? "" : " and its code changed since") (--rerun-unknown \(step.key) runs it again)"
                )
            default:
                break
            }
        }
        return open
    }

    private func decideRemoved(_ removed: ResumePlan.Removed) throws -> Flow {
        guard removed.finished == nil else {
            screen.warn("step '\(removed.key)' is in the journal but no longer in the runbook (removed or renamed)")
            try recorder.note("removed from the runbook since it was recorded", key: removed.key)
            return .next
        }
        screen.warn("step '\(removed.key)' is no longer in the runbook and never finished\(removed.unknown ? " (its outcome is unknown)" : "")")
        if request.acceptChanges.contains(removed.key) {
            try recorder.decision(key: removed.key, "removed", reason: "no longer in the runbook; --accept-changes \(request.acceptChanges.text)")
            return .next
        }
        switch console.ask(Prompts.removed) {
        case .key("r", _):
            try recorder.decision(key: removed.key, "removed", reason: "no longer in the runbook; the operator removed it from the run")
            return .next
        case .signal(let s):
            return .stop(.stopped(by: s))
        default:
            try recorder.decision(key: removed.key, "pause", reason: "resume needs a decision on a removed step")
            return .stop(.paused)
        }
    }

    private func decide(_ step: Step, _ decision: ResumePlan.Decision) throws -> Flow {
        switch decision {
        case .run:
            return .next
        case .done(let status):
            recorder.finishedEarlier(step, status)
            return .next
        case .changed(let status, let change):
            return try decideChanged(step, status: status, change: change)
        case .stillRunning(let pid):
            context.error("step '\(step.key)' of this run is still running (pid \(pid)); wait for it to end or stop it, then resume")
            return .stop(.locked)
        case .unknown(let idempotent, let change, let evidence):
            return try decideUnknown(step, idempotent: idempotent, change: change, evidence: evidence)
        case .added:
            return try decideAdded(step)
        case .renamed(let from, let finished):
            return try decideRenamed(step, from: from, finished: finished)
        }
    }
}
