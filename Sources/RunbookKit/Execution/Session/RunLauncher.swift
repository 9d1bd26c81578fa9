import Foundation

/// Starts and resumes runs: resolves params, checks the machine, takes the runbook's lock (the
/// only place a lock is taken), creates or reopens the run's journal, and hands the plan to a
/// `RunSession`. Every problem is printed to the context's error output; the outcome says which.
public struct RunLauncher {
    let context: RunbookContext
    let liveness: any ProcessLiveness
    let launcher: any StepLauncher

    /// A launcher on the real process table and real processes.
    public init(context: RunbookContext) {
        self.init(context: context, liveness: SystemProcessLiveness(), launcher: ProcessStepLauncher(context: context))
    }

    /// A launcher with its process side replaced (tests).
    init(context: RunbookContext, liveness: any ProcessLiveness, launcher: any StepLauncher) {
        self.context = context
        self.liveness = liveness
        self.launcher = launcher
    }

    /// Runs `runbook` (read from `request.runbookPath`) as a new run.
    public func run(_ request: RunRequest, runbook: Runbook) -> RunOutcome {
        // One console for the whole run: answers piped for the param prompts are read ahead.
        let console = Console(context: context)
        console.restoreScreen()
        let realpath = URL(fileURLWithPath: request.runbookPath).resolvingSymlinksInPath().path
        let runId = context.runIds.next()
        let lock: RunLock
        switch takeLock(runbookRealpath: realpath, runId: runId, runbookName: runbook.path) {
        case .success(let taken): lock = taken
        case .failure(let outcome): return outcome.outcome
        }
        defer { lock.release() }
        let mode = request.rehearsal ? "rehearsal" : "live"
        if !request.newRun, let unfinished = RunCatalog(state: context.stateDirectory).unfinished(realpath: realpath, mode: mode) {
            switch offerResume(unfinished, request: request, console: console) {
            case .newRun: break
            case .resume:
                lock.release()
                return resumeUnfinished(unfinished, request: request, runbook: runbook)
            case .stop(let outcome): return outcome
            }
        }
        let plan: RunPlan
        switch makePlan(request, runbook: runbook, recorded: [], console: console) {
        case .success(let made): plan = made
        case .failure(let outcome): return outcome
        }
        let journal: JournalWriter
        do {
            journal = try RunFolder.create(
                state: context.stateDirectory, runId: runId, runbookBytes: runbook.rawBytes,
                runStart: runStartRecord(plan, runId: runId, request: request), clock: context.clock, failAtSeq: journalFaultSeq)
        } catch {
            context.error(failureText(error))
            return .journalUnwritable
        }
        let runDir = context.stateDirectory.runDir(runId)
        return RunSession.runInScratchFolder(
            context: context, plan: plan, request: request, runId: runId, runDir: runDir, journal: journal,
            console: console, launcher: launcher, resume: nil)
    }

    /// Continues the run `ticket` names with `runbook` as it is now. `recorded`: the run's copy of
    /// its runbook, read before `runbook` was parsed (`readRecordedCopy`); nil: read here.
    public func resume(_ ticket: ResumeTicket, request: RunRequest, runbook: Runbook, recorded: ResumeTicket.RecordedCopy? = nil) -> RunOutcome {
        defer { ticket.lock.release() }
        let history = ticket.history
        let console = Console(context: context)
        console.restoreScreen()
        let plan: RunPlan
        switch makePlan(
            request, runbook: runbook, recorded: history.runStart.params ?? [], recordedPlaceholders: history.runStart.placeholders ?? [],
            journalKeys: Set(history.allSteps.map(\.key)), finished: Self.finishedUnchanged(runbook, history), console: console)
        {
        case .success(let made): plan = made
        case .failure(let outcome): return outcome
        }
        let journal: JournalWriter
        do {
            journal = try RunFolder.reopen(
                dir: ticket.runDir, runId: history.runId, verification: ticket.verification, clock: context.clock, failAtSeq: journalFaultSeq)
        } catch {
            context.error(error.message)
            return .journalUnwritable
        }
        let resume = RunSession.Resume(
            history: history, repair: ticket.repair,
            plan: ResumePlan(
                history: history, recordedSteps: ticket.recordedSteps(recorded, current: runbook), runbook: runbook, liveness: liveness))
        return RunSession.runInScratchFolder(
            context: context, plan: plan, request: request, runId: history.runId, runDir: ticket.runDir, journal: journal,
            console: console, launcher: launcher, resume: resume)
    }

    private enum UnfinishedChoice {
        case resume
        case newRun
        case stop(RunOutcome)
    }

    /// The runbook has an unfinished run: say which; on a terminal offer resume / new run / quit,
    /// otherwise stop (paused) unless `--new-run`.
    private func offerResume(_ run: RunSummary, request: RunRequest, console: Console) -> UnfinishedChoice {
        let what =
            "\(request.runbookPath) has an unfinished run \(run.runId) (\(run.state), started \(run.started) by \(run.operatorName), \(run.stepsRecorded)/\(run.totalSteps) steps done)"
        guard !request.assumeYes, console.source == .terminal else {
            let resume = pasteable("runbook resume \(run.runId)")
            let newRun = pasteable("runbook run --new-run \(shellQuoted(request.runbookPath))")
            context.error("\(what); nothing ran. Resume it with '\(resume)', or start another with '\(newRun)'")
            return .stop(.paused)
        }
        // Broken between words on a terminal, so no field (a run id, a time) is cut across rows.
        let rows = console.wrapped(what.split(separator: " ").map(String.init), indent: "  ")
        console.print(rows.map { console.style.yellow($0) }.joined(separator: "\n") + "\n")
        switch console.ask(Prompts.unfinished) {
        case .key("r", _): return .resume
        case .key("n", _): return .newRun
        case .signal(let s): return .stop(.stopped(by: s))
        default: return .stop(.paused)
        }
    }

    /// `command` with `--state-dir` when the runs are not in the default place, to paste as it is.
    func pasteable(_ command: String) -> String { context.stateDirectory.command(command, environment: context.environment) }

    private func resumeUnfinished(_ run: RunSummary, request: RunRequest, runbook: Runbook) -> RunOutcome {
        switch prepareResume(run.dir) {
        case .success(let ticket): return resume(ticket, request: request, runbook: runbook)
        case .failure(let outcome): return outcome
        }
    }

    /// Resolves params (asking for missing ones unless `--yes`) and checks the machine; prints
    /// every problem and returns the outcome (refused, or interrupted at a prompt) when there is one.
    private func makePlan(
        _ request: RunRequest, runbook: Runbook, recorded: [ParamValue], recordedPlaceholders: [ParamValue] = [],
        journalKeys: Set<String> = [], finished: Set<String> = [], console: Console
    ) -> Result<RunPlan, RunOutcome> {
        var values: [String: String] = [:]
        for p in recorded where !p.secret {
            if let value = p.value { values[p.name] = value }
        }
        // `--set` names a declared param or an undeclared placeholder; placeholders are asked after the params.
        let placeholderNames = PlaceholderResolver.names(runbook).subtracting(runbook.params.map(\.name))
        let params: [ResolvedParam]
        let placeholders: PlaceholderValues
        do {
            params = try ParamResolver.resolve(
                runbook.params, sets: request.sets.filter { !placeholderNames.contains($0.0) }, recorded: values, environment: context.environment,
                prompt: request.assumeYes ? nil : { console.value(for: $0, path: runbook.path) }, path: runbook.path)
            placeholders = try resolvePlaceholders(request, runbook: runbook, recorded: recordedPlaceholders, finished: finished, console: console)
        } catch {
            for problem in error.problems { context.error(problem) }
            if let signal = error.cancelledBy { return .failure(.stopped(by: signal)) }
            return .failure(.refused)
        }
        var plan = RunPlan(runbook: runbook, path: request.runbookPath, params: params, environment: context.environment)
        plan.placeholderValues = placeholders
        // A rehearsal checks the same things step by step and reports them; nothing it finds stops it.
        let selection = selectionProblems(request, runbook: runbook, journalKeys: journalKeys)
        let preflight = request.rehearsal ? [] : plan.preflight(hasTerminal: context.terminal.isInteractive)
        guard selection.isEmpty && preflight.isEmpty else {
            for problem in selection + preflight { context.error(problem) }
            // What to fix: the command line when only its step selection is wrong.
            context.error(
                preflight.isEmpty
                    ? "nothing was run; fix the options above and run again"
                    : "nothing was run; fix the runbook or the machine and run again")
            return .failure(.refused)
        }
        return .success(plan)
    }

    /// `--from` and `--only` must name steps of the runbook; `--confirm`, `--accept-changes` and
    /// `--rerun-unknown` steps of the runbook or, on a resume, of its journal (a renamed step's old key).
    private func selectionProblems(_ request: RunRequest, runbook: Runbook, journalKeys: Set<String>) -> [String] {
        let keys = runbook.steps.map(\.key)
        var problems: [String] = []
        for (flag, key) in (request.from.map { [("--from", $0)] } ?? []) + request.only.map({ ("--only", $0) }) where !keys.contains(key) {
            let hint = closestMatch(to: key, in: keys).map { " (did you mean '\($0)'?)" } ?? "; 'runbook show \(request.runbookPath)' lists the keys"
            problems.append("\(flag) \(key): \(runbook.path) has no step with that key\(hint)")
        }
        let known = Set(keys).union(journalKeys)
        for (flag, selection) in [("--confirm", request.confirm), ("--accept-changes", request.acceptChanges), ("--rerun-unknown", request.rerunUnknown)] {
            guard case .keys(let given) = selection else { continue }
            for key in given.sorted() where !known.contains(key) {
                let hint =
                    closestMatch(to: key, in: known.sorted()).map { " (did you mean '\($0)'?)" } ?? "; 'runbook show \(request.runbookPath)' lists the keys"
                problems.append("\(flag) \(key): \(runbook.path) has no step with that key\(journalKeys.isEmpty ? "" : ", nor has the run's journal")\(hint)")
            }
        }
        if request.from != nil && !request.only.isEmpty {
            problems.append("--from and --only do not go together: give one of them")
        }
        return problems
    }

    /// Keys of the steps the journal shows finished with the code they have now: a resume does not
    /// run them again, so their placeholders are not asked for.
    static func finishedUnchanged(_ runbook: Runbook, _ history: RunHistory) -> Set<String> {
        Set(
            runbook.steps.filter { step in
                guard let record = history.step(step.key), case .completed = record.state else { return false }
                return record.codeSHA256 == step.codeSHA256
            }.map(\.key))
    }

    /// Why a run could not go on, with the outcome to report.
    struct Stop: Error {
        let outcome: RunOutcome
    }

    /// Takes the runbook's lock for `runId`; prints who holds it when another run does.
    func takeLock(runbookRealpath: String, runId: String, runbookName: String) -> Result<RunLock, Stop> {
        do {
            switch try RunLock.acquire(runbookRealpath: runbookRealpath, runId: runId, context: context) {
            case .acquired(let lock):
                return .success(lock)
            case .held(let other, let path):
                context.error(RunLock.heldMessage(runbook: runbookName, holder: other, path: path))
                return .failure(Stop(outcome: .locked))
            }
        } catch {
            context.error(error.message)
            return .failure(Stop(outcome: .journalUnwritable))
        }
    }

    private func runStartRecord(_ plan: RunPlan, runId: String, request: RunRequest) -> JournalRecord {
        var start = JournalRecord(type: .runStart)
        start.runId = runId
        start.runbook = RunbookRef(
            path: request.runbookPath, realpath: plan.runbookRealpath, sha256: plan.runbook.sha256,
            bytes: plan.runbook.byteCount, snapshot: "runbook.md")
        start.operatorName = context.user
        start.host = context.host
        start.mode = request.rehearsal ? "rehearsal" : "live"
        start.params = plan.params.map { p in
            ParamValue(name: p.param.name, value: p.param.secret ? nil : p.value, secret: p.param.secret, source: p.source)
        }
        start.placeholders = plan.placeholderValues.values.isEmpty ? nil : plan.placeholderValues.recorded
        start.incident = request.incident
        start.totalSteps = plan.runbook.steps.count
        start.tool = "runbook \(RunbookVersion.string)"
        start.pid = context.pid
        start.bootId = context.bootId
        if let from = request.from { start.text = "steps selected: --from \(from)" }
        if !request.only.isEmpty { start.text = "steps selected: --only \(request.only.joined(separator: ","))" }
        return start
    }

    /// Debug builds: RUNBOOK_TEST_JOURNAL_FAIL_AT_SEQ makes that record's write fail.
    var journalFaultSeq: Int? {
        #if DEBUG
            return context.environment["RUNBOOK_TEST_JOURNAL_FAIL_AT_SEQ"].flatMap(Int.init)
        #else
            return nil
        #endif
    }
}

/// The text of a storage or journal error.
func failureText(_ error: any Error) -> String {
    switch error {
    case let error as JournalError: return error.message
    case let error as StorageError: return error.message
    default: return "\(error)"
    }
}
