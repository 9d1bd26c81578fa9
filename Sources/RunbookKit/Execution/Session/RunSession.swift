import CSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Drives a plan step by step: shows each step, asks the operator (or not, with `--yes`), runs
/// it, records every outcome in the journal, and returns how the run ended.
///
/// The step loop and the answers every prompt shares are here; code steps are in
/// `CodeStep.swift`, one execution in `StepExecution.swift`, resume decisions in `ResumeDecisions.swift`.
final class RunSession {
    /// A resumed run's history and what resuming it means.
    struct Resume {
        let history: RunHistory
        let repair: JournalRepair.Repair?
        let plan: ResumePlan
    }

    /// What happens after a step.
    enum Flow {
        case next
        case stop(RunOutcome)
    }

    let context: RunbookContext
    let plan: RunPlan
    let request: RunRequest
    let runId: String
    let runDir: String
    let scratchDir: String
    let console: Console
    let screen: Screen
    let recorder: RunRecorder
    let launcher: any StepLauncher
    /// Interpreters found on PATH so far.
    let executables = ExecutableCache()
    var runbook: Runbook { plan.runbook }
    var style: Style { console.style }

    /// Variables exported by earlier steps.
    var carried: [String: String] = [:]
    /// A step with `on-failure=continue` failed.
    var anyFailed = false
    /// The operator or a step's on-failure policy aborted the run.
    var aborted = false
    /// The runbook file's size and mtime when last looked at.
    private var runbookStamp: (size: Int, mtime: Int) = (-1, -1)
    private var noticedChange = false
    /// The run's output log, opened at the first code step that runs.
    private var openedLog: OutputLog?
    /// The step just shown had its code folded to fit the window (its question offers `v`).
    var codeFolded = false
    /// The ERR trap file for bash steps is in the scratch folder (see `FailingCommandTrap`).
    var errTrapWritten = false
    /// The prose before the first step was shown (a resumed run shows it before its first step).
    private var shownIntroduction = false
    /// Steps gone past in a row, not shown yet (`passOver`).
    private var passedOver: PassedOver?

    init(
        context: RunbookContext, plan: RunPlan, request: RunRequest, runId: String, runDir: String, scratchDir: String,
        journal: JournalWriter, console: Console, launcher: any StepLauncher
    ) {
        self.context = context
        self.plan = plan
        self.request = request
        self.runId = runId
        self.runDir = runDir
        self.scratchDir = scratchDir
        self.launcher = launcher
        self.console = console
        screen = Screen(console: console, runbook: plan.runbook)
        recorder = RunRecorder(journal: journal, masker: SecretMasker(secrets: plan.secretValues), steps: plan.runbook.steps.count)
        // A step_end written without a sync is made durable before the operator is asked anything;
        // a failed sync breaks the journal, and the answer's record then stops the run.
        console.beforeWaiting = { [recorder] in try? recorder.settle() }
    }

    /// The run's output log (created in the run folder the first time).
    func outputLog() throws(JournalError) -> OutputLog {
        if let openedLog { return openedLog }
        var failSync = false
        #if DEBUG
            failSync = context.environment["RUNBOOK_TEST_OUTPUT_LOG_SYNC_FAIL"] == "1"
        #endif
        let log = try OutputLog(folder: runDir, failSync: failSync)
        openedLog = log
        return log
    }

    /// Makes the run's private scratch folder, runs the session in it, removes it.
    static func runInScratchFolder(
        context: RunbookContext, plan: RunPlan, request: RunRequest, runId: String, runDir: String, journal: JournalWriter,
        console: Console, launcher: any StepLauncher, resume: Resume?
    ) -> RunOutcome {
        let scratch: String
        do { scratch = try ScratchFolder.create(runId: runId, environment: context.environment) } catch {
            context.error(error.message)
            return .journalUnwritable
        }
        defer { ScratchFolder.remove(scratch) }
        let session = RunSession(
            context: context, plan: plan, request: request, runId: runId, runDir: runDir, scratchDir: scratch,
            journal: journal, console: console, launcher: launcher)
        return session.run(resume: resume)
    }

    // MARK: The run

    /// Runs every step from the first (a resumed run skips what finished) and ends the run.
    func run(resume: Resume?) -> RunOutcome {
        if let resume {
            do { try recordResume(resume) } catch {
                context.error(failureText(error))
                return .journalUnwritable
            }
        }
        // Orphans of a step are re-parented to the runner, so it can find and stop them.
        _ = rb_set_subreaper()
        screen.header(
            runId: runId, operatorName: "\(context.user)@\(context.host)", incident: request.incident,
            params: plan.params, assumeYes: request.assumeYes, rehearsal: request.rehearsal)
        showPlaceholderValues()
        if let resume {
            do {
                switch try decideResume(resume) {
                case .proceed: break
                case .stop(let outcome): return finish(outcome)
                }
            } catch {
                context.error(failureText(error))
                return .journalUnwritable
            }
        }
        switch runSteps() {
        case .stop(let outcome): return finish(outcome)
        case .next: return finish(anyFailed ? .completedWithFailures : .completed)
        }
    }

    private func runSteps() -> Flow {
        for step in runbook.steps {
            do { try noticeRunbookChange() } catch {
                showPassedOver()
                context.error(error.message)
                return .stop(.journalUnwritable)
            }
            if recorder.steps[step.number].finishedEarlier, let earlier = recorder.steps.outcome(step.number) {
                let mark = earlier == "skipped" ? "↷" : StepEndStatus.succeeded.contains(earlier) ? "✔" : "✘"
                if let reason = recorder.steps[step.number].reason {
                    // Settled by this resume's question (done, or skipped with a reason): not earlier.
                    passOver(step, mark: mark, "\(earlier): \(reason)")
                } else {
                    recorder.markShownEarlier(step)
                    passOver(step, mark: mark, "\(earlier) earlier in this run")
                }
                continue
            }
            do {
                if let reason = notSelected(step) {
                    passOver(step, mark: "·", "not selected (\(reason))")
                    try recorder.start(step, attempt: 0)
                    try recorder.end(step, status: "skipped", reason: "not selected: \(reason)")
                    continue
                }
                showPassedOver()
                showPassages(before: step.number)
                codeFolded = screen.step(step, displayCode: displayCode(step))
                let flow: Flow
                if step.attributes.skip && !request.only.contains(step.key) {
                    let reason = step.attributes.skipReason ?? "marked skip in the runbook"
                    screen.say("skipped: \(reason)", style.dim)
                    try recorder.start(step, attempt: 0)
                    try recorder.end(step, status: "skipped", reason: reason)
                    flow = .next
                } else {
                    flow = try step.kind == .manual ? manualStep(step) : codeStep(step)
                }
                if case .stop = flow { return flow }
            } catch {
                showPassedOver()
                context.error(failureText(error))
                if error is JournalError || error is StorageError {
                    context.error("the run stopped because its journal cannot be written; nothing more will run. The journal so far: \(recorder.journal.path)")
                }
                return .stop(.journalUnwritable)
            }
        }
        showPassedOver()
        showPassages(before: nil)
        return .next
    }

    /// A step the run goes past (finished earlier, or not selected): shown with the ones like it
    /// in a row, as one line when they are `Folding.minimum` or more (`PassedOver`).
    private func passOver(_ step: Step, mark: String, _ what: String) {
        if passedOver?.extend(step, mark: mark, what) != true {
            showPassedOver()
            passedOver = PassedOver(step, mark: mark, what)
        }
    }

    /// The stretch of steps gone past so far, before anything else is shown.
    private func showPassedOver() {
        guard let stretch = passedOver else { return }
        passedOver = nil
        for text in stretch.lines(total: runbook.steps.count) { screen.say(text, style.dim, indent: "  ") }
    }

    /// Shows the prose that stands before step `number` (nil: after the last step). The
    /// introduction, before the first step, is shown before whichever step a run shows first.
    private func showPassages(before number: Int?) {
        for passage in runbook.passages where passage.beforeStep == number || (!shownIntroduction && passage.beforeStep == 1) {
            screen.passage(passage)
        }
        shownIntroduction = true
    }

    /// Why `--from` or `--only` leaves `step` out, or nil when it runs.
    private func notSelected(_ step: Step) -> String? {
        if !request.only.isEmpty {
            return request.only.contains(step.key) ? nil : "--only \(request.only.joined(separator: ","))"
        }
        if let from = request.from, let first = fromNumber, step.number < first {
            return "--from \(from)"
        }
        return nil
    }

    /// The number of the step `--from` names, found once (not by a search for every step before it).
    private lazy var fromNumber: Int? = request.from.flatMap { from in runbook.steps.first { $0.key == from }?.number }

    /// Records `run_end` for a run that ended (not for one that paused) and prints the summary.
    private func finish(_ outcome: RunOutcome) -> RunOutcome {
        var final = outcome
        if final == .completed && anyFailed { final = .completedWithFailures }
        if final.isEnd {
            var end = JournalRecord(type: .runEnd)
            end.status = aborted ? "aborted" : (anyFailed ? "completed_with_failures" : "completed")
            end.counts = recorder.counts
            end.exitStatus = final == .completed ? 0 : 1
            do { try recorder.append(end) } catch {
                context.error(error.message)
                return .journalUnwritable
            }
        }
        let what = request.rehearsal ? "Rehearsal" : "Run"
        let ending =
            final == .journalUnwritable
            ? "stopped: its journal could not be written"
            : !final.isEnd ? "paused" : aborted ? "aborted" : anyFailed ? (request.rehearsal ? "found problems" : "completed with failures") : "completed"
        let headline = "\(what) \(ending)"
        // The first few steps not reached, and how many: a list of every key would be as long as the runbook.
        var notReached: [String] = []
        var notReachedCount = 0
        for step in runbook.steps where recorder.steps.notReached(step.number) {
            if notReached.count < Screen.notReachedListed { notReached.append(step.key) }
            notReachedCount += 1
        }
        screen.report(recorder.steps)
        screen.summary(
            headline: headline, counts: recorder.counts, notReached: notReached, notReachedCount: notReachedCount, journal: recorder.journal,
            resume: final.isEnd ? nil : resumeCommand)
        return final
    }

    /// Attempts recorded for `step` before this process (a resume), so attempt numbers go on.
    func attemptsBefore(_ step: Step) -> Int { recorder.steps[step.number].attemptsBefore }

    // MARK: Manual steps and shared answers

    func manualStep(_ step: Step) throws -> Flow {
        if request.assumeYes {
            screen.line(style.dim("confirmed automatically (--yes)"))
            try recorder.start(step, attempt: 1)
            try recorder.decision(step, "done", reason: "confirmed automatically by --yes")
            try recorder.end(step, status: "done", reason: "automatic (--yes)")
            return .next
        }
        while true {
            let answer = console.ask(Prompts.manual)
            switch try sharedAnswer(answer, step, recordsSkipStart: true) {
            case .flow(let flow): return flow
            case .askAgain: continue
            case .notShared: break
            }
            if case .key(let key, _) = answer, key == "d" || key == "y" {
                try recorder.start(step, attempt: 1)
                try recorder.decision(step, "done", reason: nil)
                try recorder.end(step, status: "done", reason: nil)
                screen.line(style.green("✔ done"))
                return .next
            }
        }
    }

    enum SharedAnswer {
        case flow(Flow)
        case askAgain
        case notShared
    }

    /// The answers every prompt shares: skip (with a reason), note, quit, abort, end of input, a signal.
    /// `recordsSkipStart`: a skip before the step ran also records its (empty) start.
    func sharedAnswer(_ answer: Answer, _ step: Step, recordsSkipStart: Bool) throws -> SharedAnswer {
        switch answer {
        case .key("s", let rest):
            guard let reason = console.reason(rest, prompt: "reason for skipping: ") else { return .flow(try pause(step, "end of input")) }
            try recorder.decision(step, "skip", reason: reason)
            if recordsSkipStart { try recorder.start(step, attempt: 0) }
            try recorder.end(step, status: "skipped", reason: reason)
            screen.say("↷ skipped: \(reason)", style.dim)
            return .flow(.next)
        case .key("n", let rest):
            guard let text = console.reason(rest, prompt: "note: ") else { return .flow(try pause(step, "end of input")) }
            let (cut, masked) = try recorder.note(step, text)
            if cut { screen.warn("note cut to 4096 characters in the record") }
            if masked > 0 { screen.warn("\(masked) secret value(s) masked in the note") }
            return .askAgain
        case .key("q", _):
            return .flow(try pause(step, "quit"))
        case .key("a", _):
            // An aborted run ends for good: ask first (a paused one can be resumed).
            switch console.ask(Prompts.confirmAbort) {
            case .key("y", _):
                try recorder.decision(step, "abort", reason: nil)
                return .flow(abort())
            case .signal(let s):
                return .flow(try pause(step, "signal \(signalName(s))", outcome: .stopped(by: s)))
            case .endOfInput:
                return .flow(try pause(step, "end of input"))
            default:
                screen.line(style.dim("not aborted"))
                return .askAgain
            }
        case .endOfInput:
            return .flow(try pause(step, "end of input"))
        case .signal(let s):
            return .flow(try pause(step, "signal \(signalName(s))", outcome: .stopped(by: s)))
        default:
            return .notShared
        }
    }

    /// After a step that Ctrl-C stopped, a Ctrl-C at the prompt may have been one press too many
    /// for the step: it asks before pausing. Nil: not paused, ask the question before again.
    func pauseAfterInterrupt(_ step: Step) throws -> Flow? {
        switch console.ask(Prompts.confirmPause) {
        case .key("y", _): return try pause(step, "Ctrl-C at the prompt, confirmed")
        case .signal(let s): return try pause(step, "signal \(signalName(s))", outcome: .stopped(by: s))
        case .endOfInput: return try pause(step, "end of input")
        default:
            screen.line(style.dim("not paused"))
            return nil
        }
    }

    func abort() -> Flow {
        aborted = true
        return .stop(.aborted)
    }

    func pause(_ step: Step, _ why: String, outcome: RunOutcome = .paused) throws(JournalError) -> Flow {
        try recorder.decision(step, "pause", reason: why)
        return .stop(outcome)
    }

    // MARK: The runbook changing under a run

    /// The run keeps the runbook it started with; if the file changes on disk meanwhile, say so once
    /// and record the new file's sha256 (a stat per step; the file is read only when it changed).
    private func noticeRunbookChange() throws(JournalError) {
        guard !noticedChange else { return }
        var info = stat()
        guard stat(request.runbookPath, &info) == 0 else { return }
        let stamp = (Int(info.st_size), Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec))
        if runbookStamp.size < 0 {
            runbookStamp = stamp
            return
        }
        guard stamp != runbookStamp else { return }
        runbookStamp = stamp
        guard case .bytes(let bytes)? = try? readRegularFile(request.runbookPath, limit: SourceText.sizeLimit) else { return }
        let sha = SHA256.hex(bytes)
        guard sha != runbook.sha256 else { return }
        noticedChange = true
        showPassedOver()
        screen.warn("\(runbook.path) changed on disk during this run (sha256 \(sha.prefix(12))); the run goes on with the version it started with")
        try recorder.note("the runbook changed on disk during the run: sha256 \(sha); the run keeps the version it started with (\(runbook.sha256))")
    }

    /// The exact command that resumes this run (with `--state-dir` when the runs are not in the default place).
    var resumeCommand: String { context.stateDirectory.command("runbook resume \(runId)", environment: context.environment) }

    /// Debug builds: RUNBOOK_TEST_CRASH_AT=<point> kills the runner there (crash tests).
    func crashPoint(_ name: String) {
        #if DEBUG
            if context.environment["RUNBOOK_TEST_CRASH_AT"] == name { raise(SIGKILL) }
        #endif
    }
}
