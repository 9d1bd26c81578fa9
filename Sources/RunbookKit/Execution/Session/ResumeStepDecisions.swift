import Foundation

/// The decisions on single steps a resume may need: a changed finished step, an added one, a
/// renamed one, one whose outcome is unknown.
extension RunSession {
    /// Shows what a resume decision is about: the step, what the journal knows, what changed.
    func explain(_ step: Step, _ decision: ResumePlan.Decision) {
        switch decision {
        case .changed(let status, let change):
            screen.say(
                "\nstep \(step.number) [\(step.key)] was \(status), but its code changed since it ran (\(change.recordedSHA256.prefix(12)) → \(change.currentSHA256?.prefix(12) ?? "?"))",
                style.yellow)
            showChange(step, change)
        case .added:
            screen.say("\nstep \(step.number) [\(step.key)] was added since the run started", style.yellow)
            if step.kind == .manual {
                screen.line(style.cyan("☐ \(step.title)"))
            } else {
                screen.code(step.code ?? "", language: step.language ?? "")
            }
        case .renamed(let from, .some):
            screen.say("\n'\(step.key)' looks like '\(from)', which finished: same code", style.yellow)
        case .unknown(_, let change, let evidence):
            screen.say(
                "\nstep \(step.number) [\(step.key)] was started but its outcome was never recorded (the runner stopped while it ran)"
                    + (change == nil ? "" : "; its code changed since"), style.yellow)
            showEvidence(evidence)
            if let change { showChange(step, change) }
        default:
            break
        }
    }

    func decideChanged(_ step: Step, status: String, change: ResumePlan.CodeChange) throws -> Flow {
        explain(step, .changed(status: status, change: change))
        if request.acceptChanges.contains(step.key) {
            try recorder.decision(step, "keep", reason: "code changed since it ran; kept the earlier result (--accept-changes \(request.acceptChanges.text))")
            recorder.finishedEarlier(step, status)
            return .next
        }
        switch console.ask(Prompts.changed(status: status)) {
        case .key("k", _):
            try recorder.decision(step, "keep", reason: "code changed since it ran; kept the earlier result")
            recorder.finishedEarlier(step, status)
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

    /// An added step: with `--accept-changes` it runs (recorded); otherwise, when the operator is
    /// asked, the step's own prompt (run, skip, …) is the decision, after this explanation.
    func decideAdded(_ step: Step) throws -> Flow {
        if request.acceptChanges.contains(step.key) {
            screen.say("\nstep \(step.number) [\(step.key)] was added since the run started; it runs (--accept-changes)", style.yellow)
            try recorder.decision(step, "run", reason: "added since the run started; --accept-changes \(request.acceptChanges.text)")
            return .next
        }
        explain(step, .added)
        screen.say("you are asked before it runs, when its turn comes", style.dim)
        try recorder.note("added to the runbook since the run started; the operator is asked before it runs", key: step.key)
        return .next
    }

    func decideRenamed(_ step: Step, from: String, finished: String?) throws -> Flow {
        guard let status = finished else {
            // It had not finished: the same code simply runs under its new key.
            var record = JournalRecord(type: .decision)
            record.key = step.key
            record.choice = "renamed"
            record.reason = "same code as '\(from)', which had not finished"
            record.text = from
            try recorder.append(record)
            return .next
        }
        explain(step, .renamed(from: from, finished: status))
        if request.acceptChanges.contains(step.key, or: from) {
            try recordMatch(step, from: from, reason: "same code as '\(from)', which finished \(status); --accept-changes \(request.acceptChanges.text)")
            recorder.finishedEarlier(step, status)
            return .next
        }
        switch console.ask(Prompts.renamed(from: from, status: status)) {
        case .key("k", _):
            try recordMatch(step, from: from, reason: "same code as '\(from)', which finished \(status); the operator says it is that step")
            recorder.finishedEarlier(step, status)
            return .next
        case .key("r", _):
            try recorder.decision(step, "rerun", reason: "looks like '\(from)' (same code), which finished; run again")
            return .next
        case .signal(let s):
            return .stop(.stopped(by: s))
        default:
            try recorder.decision(step, "pause", reason: "resume needs a decision on a renamed step")
            return .stop(.paused)
        }
    }

    /// A `matched` decision: `step` is the step that finished as `from`.
    private func recordMatch(_ step: Step, from: String, reason: String) throws(JournalError) {
        var record = JournalRecord(type: .decision)
        record.key = step.key
        record.choice = "matched"
        record.reason = reason
        record.text = from
        try recorder.append(record)
    }

    func decideUnknown(
        _ step: Step, idempotent: Bool, change: ResumePlan.CodeChange?, evidence: ResumePlan.Evidence
    ) throws -> Flow {
        explain(step, .unknown(idempotent: idempotent, change: change, evidence: evidence))
        if idempotent && change == nil {
            screen.say("it is marked idempotent: it runs again", style.dim)
            try recorder.decision(step, "rerun", reason: "outcome unknown; idempotent")
            return .next
        }
        if request.rerunUnknown.contains(step.key) {
            try recorder.decision(
                step, "rerun", reason: "outcome unknown\(change == nil ? "" : "; code changed"); --rerun-unknown \(request.rerunUnknown.text)")
            return .next
        }
        while true {
            let answer = console.ask(Prompts.unknownOutcome)
            switch answer {
            case .key("r", _):
                try recorder.decision(step, "rerun", reason: "outcome unknown")
            case .key("d", _):
                try recorder.decision(step, "done", reason: "outcome unknown; the operator says it finished")
                try recorder.end(step, status: "done", reason: "confirmed by the operator after an interrupted run")
                recorder.markFinishedEarlier(step)
            case .key("s", let rest):
                guard let reason = console.reason(rest, prompt: "reason for skipping: ") else { return .stop(.paused) }
                try recorder.decision(step, "skip", reason: reason)
                try recorder.end(step, status: "skipped", reason: reason)
                recorder.markFinishedEarlier(step)
            case .key("h", _):
                try recorder.decision(step, "shell", reason: "checking what an interrupted step did")
                let env = plan.environment(for: step, runId: runId, carried: carried)
                tools.shell(env: env, dir: plan.directory(for: step, env: env), fallback: runbook.defaults.shell)
                continue
            case .key("n", let rest):
                guard let text = console.reason(rest, prompt: "note: ") else { return .stop(.paused) }
                _ = try recorder.note(step, text)
                continue
            case .signal(let s):
                return .stop(.stopped(by: s))
            default:
                try recorder.decision(step, "pause", reason: "resume needs a decision on a step with an unknown outcome")
                return .stop(.paused)
            }
            return .next
        }
    }

    /// The code as it ran and as it is now, as a line diff (or, without the recorded copy, the code now).
    private func showChange(_ step: Step, _ change: ResumePlan.CodeChange) {
        guard let old = change.recordedCode else {
            screen.code(step.code ?? "", language: step.language ?? "")
            return
        }
        screen.line(style.dim("--- as it ran   +++ as it is now"))
        for line in lineDiff(old, step.code ?? "") {
            screen.line(line.hasPrefix("-") ? style.red(line) : line.hasPrefix("+") ? style.green(line) : line)
        }
    }

    /// When the step started, when the journal last heard of it, and the end of its partial output.
    private func showEvidence(_ evidence: ResumePlan.Evidence) {
        var facts: [String] = []
        if let started = evidence.started { facts.append("started \(started)") }
        if let last = evidence.lastHeard, last != evidence.started { facts.append("last recorded \(last)") }
        if let pid = evidence.pid { facts.append("pid \(pid), no longer running") }
        if !facts.isEmpty { screen.say(facts.joined(separator: "; "), style.dim) }
        guard let file = evidence.outputFile else { return }
        guard let (size, end) = partialOutputTail(file, evidence: evidence) else {
            screen.say("no output was recorded (\(file))", style.dim)
            return
        }
        let text = String(decoding: end, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(11).map(String.init)
        let place = evidence.outputStart.map { "\(file) from byte \($0)" } ?? file
        screen.say("its output so far (\(size) bytes in \(place)), last lines:", style.dim)
        for line in lines.last == "" ? Array(lines.dropLast()) : lines { screen.line("  " + line) }
    }

    /// The size of an unknown attempt's partial output and its last 4 KiB; nil when there is none.
    private func partialOutputTail(_ file: String, evidence: ResumePlan.Evidence) -> (Int, [UInt8])? {
        let fd = open(runDir + "/" + file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let fileEnd = Int(info.st_size)
        let start = min(evidence.outputStart ?? 0, fileEnd)
        let end = min(evidence.outputEnd ?? fileEnd, fileEnd)
        guard end > start else { return nil }
        let from = max(start, end - 4096)
        var bytes = [UInt8](repeating: 0, count: end - from)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(from)) }
        guard n >= 0 else { return nil }
        return (end - start, Array(bytes.prefix(n)))
    }
}
