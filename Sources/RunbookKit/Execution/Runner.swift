import CSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What `runbook run` was asked to do.
public struct RunRequest: Sendable {
    public var runbookPath: String
    public var state: StateDirectory
    /// Run every step without asking; manual steps are confirmed as automatic.
    public var assumeYes = false
    /// `--set NAME=VALUE`, in order.
    public var sets: [(String, String)] = []
    public var incident: String?
    /// The runner's environment, passed on to steps.
    public var environment: [String: String]
    /// Seconds between SIGTERM and SIGKILL on timeout (RUNBOOK_KILL_GRACE, default 10).
    public var killGrace = 10.0
    /// Bytes of output kept at the start and at the end of each step's record.
    public var outputHead = 256 * 1024
    public var outputTail = 256 * 1024

    /// Set when continuing an earlier run instead of starting one.
    public var resume: ResumeContext?
    /// A lock the caller already holds for this runbook (resume takes it before repairing the journal).
    public var lock: RunLock?

    public init(runbookPath: String, state: StateDirectory, environment: [String: String]) {
        self.runbookPath = runbookPath
        self.state = state
        self.environment = environment
    }
}

/// An earlier run to continue: its folder, its verified journal and what the journal says.
public struct ResumeContext: Sendable {
    public var runDir: String
    public var history: RunHistory
    public var verification: JournalVerification
    /// Set when a torn last record was cut before resuming.
    public var repair: JournalRepair.Repair?

    public init(runDir: String, history: RunHistory, verification: JournalVerification, repair: JournalRepair.Repair?) {
        self.runDir = runDir
        self.history = history
        self.verification = verification
        self.repair = repair
    }
}

/// Runs a runbook step by step, asking the operator, recording every outcome in the journal.
public final class Runner {
    private let request: RunRequest
    private let runbook: Runbook
    private let console: Console
    private let style: Style

    private var journal: JournalWriter!
    private var runId = ""
    private var runDir = ""
    private var tempDir = ""
    private var masker = SecretMasker(secrets: [])
    private var params: [ResolvedParam] = []
    private var secretNames = Set<String>()
    /// Variables exported by earlier steps.
    private var carried: [String: String] = [:]
    private var counts: [String: Int] = [:]
    private var anyFailed = false
    /// Set when the operator or a step's on-failure policy aborted the run.
    private var aborted = false
    /// Attempts recorded for each key before this process (resume), so attempt numbers go on.
    private var attemptsBefore: [String: Int] = [:]

    private enum Flow {
        case next
        case stop(ExitStatus)
    }

    public init(request: RunRequest, runbook: Runbook, console: Console) {
        self.request = request
        self.runbook = runbook
        self.console = console
        self.style = console.style
    }

    // MARK: The run

    public func run() -> ExitStatus {
        // 1. Params, secrets and preflight: all before anything is recorded or runs.
        do {
            var recorded: [String: String] = [:]
            for p in request.resume?.history.runStart.params ?? [] where !p.secret {
                if let value = p.value { recorded[p.name] = value }
            }
            params = try ParamResolver.resolve(runbook.params, sets: request.sets, recorded: recorded,
                                               environment: request.environment,
                                               prompt: request.assumeYes ? nil : promptForParam, path: runbook.path)
        } catch {
            for problem in error.problems { errorLine(problem) }
            return .badInput
        }
        secretNames = Set(params.filter { $0.param.secret }.map(\.param.name))
        masker = SecretMasker(secrets: params.filter { $0.param.secret }.map(\.value))
        let preflightProblems = preflight()
        if !preflightProblems.isEmpty {
            for problem in preflightProblems { errorLine(problem) }
            errorLine("nothing was run; fix the runbook or the machine and run again")
            return .badInput
        }

        // 2. Lock, run folder, journal.
        let realPath = URL(fileURLWithPath: request.runbookPath).resolvingSymlinksInPath().path
        runId = request.resume?.history.runId ?? makeRunId()
        let holder = LockHolder(user: operatorName(), host: hostName(), pid: getpid(), runId: runId,
                                since: isoTimestamp(), runbook: realPath)
        let lock: RunLock
        if let held = request.lock {
            lock = held
        } else {
            do {
                try request.state.prepare()
                switch try RunLock.acquire(state: request.state, runbookRealpath: realPath, holder: holder) {
                case .acquired(let l): lock = l
                case .held(let other, let path):
                    errorLine(RunLock.heldMessage(runbook: runbook.path, holder: other, path: path))
                    return .locked
                }
            } catch {
                errorLine(error.message)
                return .journalIO
            }
        }
        defer { lock.release() }

        do {
            if let resume = request.resume {
                try reopenJournal(resume)
            } else {
                try startJournal(realPath: realPath)
            }
            try makeTempDir()
        } catch {
            errorLine(error.message)
            return .journalIO
        }
        defer { removeTempDir() }
        _ = rb_set_subreaper()

        printHeader()
        var doneEarlier: [Int: String] = [:]
        if let resume = request.resume {
            do {
                switch try planResume(resume) {
                case .proceed(let done): doneEarlier = done
                case .stop(let status): return finish(status)
                }
            } catch {
                errorLine("\(error)")
                return .journalIO
            }
        }
        var status = ExitStatus.ok
        for step in runbook.steps {
            do { try noticeRunbookChange() } catch {
                errorLine(error.message)
                return .journalIO
            }
            if let earlier = doneEarlier[step.number] {
                console.print(style.dim("✔ step \(step.number)/\(runbook.steps.count) [\(step.key)] \(earlier) earlier in this run") + "\n")
                continue
            }
            let flow: Flow
            do {
                showStep(step)
                if step.attributes.skip {
                    let reason = step.attributes.skipReason ?? "marked skip in the runbook"
                    console.print(style.dim("skipped: \(reason)") + "\n")
                    try recordStart(step, attempt: 0)
                    try recordEnd(step, status: "skipped", reason: reason)
                    flow = .next
                } else {
                    flow = try step.kind == .manual ? manualStep(step) : codeStep(step)
                }
            } catch let error as JournalError {
                errorLine(error.message)
                errorLine("the run stopped because its journal cannot be written; nothing more will run. The journal so far: \(journal.path)")
                return .journalIO
            } catch {
                errorLine("\(error)")
                return .journalIO
            }
            if case .stop(let s) = flow {
                status = s
                break
            }
        }
        if status == .ok && anyFailed { status = .stepFailed }
        return finish(status)
    }

    private func finish(_ status: ExitStatus) -> ExitStatus {
        let final = status
        // Only a run that completed or was aborted ends; anything else stays resumable.
        let paused = !(final == .ok || final == .stepFailed)
        do {
            if !paused {
                var end = JournalRecord(type: .runEnd)
                end.status = aborted ? "aborted" : (anyFailed ? "completed_with_failures" : "completed")
                end.counts = counts
                end.exitStatus = final.rawValue
                try journal.append(end)
            }
        } catch {
            errorLine(error.message)
            return .journalIO
        }
        let summary = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        let headline = paused ? "Run paused" : aborted ? "Run aborted" : anyFailed ? "Run completed with failures" : "Run completed"
        console.print("\n" + style.bold(headline) + " (\(summary.isEmpty ? "no steps" : summary))\n")
        console.print("journal: \(journal.path)\n")
        console.print("records: \(journal.nextSeq), head sha256: \(journal.headHash)\n")
        if paused { console.print("the run can be resumed: its journal records every step so far\n") }
        return final
    }

    // MARK: Steps

    private func codeStep(_ step: Step) throws -> Flow {
        var code = step.code ?? ""
        var edited: CodeRef?
        if !request.assumeYes {
            ask: while true {
                let answer = console.ask(style.bold("[r]un [s]kip [e]dit [n]ote [q]uit [a]bort [?] ") , keys: ["r", "y", "s", "e", "n", "q", "a"], help: Self.stepHelp)
                switch try sharedAnswer(answer, step, recordsSkipStart: true) {
                case .flow(let flow): return flow
                case .askAgain: continue
                case .notShared: break
                }
                switch answer {
                case .key("r", _), .key("y", _):
                    break ask
                case .key("e", _):
                    if let newCode = try editCode(step, code) {
                        code = newCode.code
                        edited = newCode.ref
                        showCode(code, language: step.language ?? "")
                    }
                default:
                    continue
                }
            }
        } else if step.attributes.confirm {
            try recordDecision(step, "run", reason: "confirmed by --yes")
        }

        var attempt = attemptsBefore[step.key] ?? 0
        var automaticRetriesLeft = step.attributes.retries
        while true {
            attempt += 1
            let result = try execute(step, code: code, edited: edited, attempt: attempt)
            if let flow = result.stop { return flow }
            if let signal = result.outcome.runnerSignal {
                // TERM/QUIT stopped the step; HUP (terminal gone) let it finish. Either way nothing more starts.
                let why = signal == SIGHUP ? "hangup: the terminal went away" : "runner received SIG\(signalName(signal))"
                return try pause(step, why, status: exitStatus(for: signal))
            }
            if result.succeeded { return .next }
            if automaticRetriesLeft > 0 && !result.outcome.interrupted {
                automaticRetriesLeft -= 1
                console.print(style.yellow("retrying (\(step.attributes.retries - automaticRetriesLeft) of \(step.attributes.retries))") + "\n")
                continue
            }
            if request.assumeYes {
                if result.outcome.interrupted { return try pause(step, "interrupted", status: .interrupted) }
                if step.attributes.onFailure == .continue { anyFailed = true; return .next }
                try recordDecision(step, "abort", reason: "step failed under --yes")
                return abort()
            }
            if step.attributes.onFailure == .abort && !result.outcome.interrupted {
                try recordDecision(step, "abort", reason: "on-failure=abort")
                return abort()
            }
            if step.attributes.onFailure == .continue && !result.outcome.interrupted {
                anyFailed = true
                return .next
            }
            failure: while true {
                let answer = console.ask(style.bold("step failed: [r]etry [s]kip [h]shell [n]ote [q]uit [a]bort [?] "),
                                         keys: ["r", "s", "h", "n", "q", "a"], help: Self.failureHelp)
                switch try sharedAnswer(answer, step, recordsSkipStart: false) {
                case .flow(let flow): return flow
                case .askAgain: continue
                case .notShared: break
                }
                switch answer {
                case .key("r", _):
                    try recordDecision(step, "retry", reason: nil)
                    break failure
                case .key("h", _):
                    try recordDecision(step, "shell", reason: nil)
                    openShell(step)
                default:
                    continue
                }
            }
        }
    }

    private func manualStep(_ step: Step) throws -> Flow {
        if request.assumeYes {
            console.print(style.dim("confirmed automatically (--yes)") + "\n")
            try recordStart(step, attempt: 1)
            try recordDecision(step, "done", reason: "confirmed automatically by --yes")
            try recordEnd(step, status: "done", reason: "automatic (--yes)")
            return .next
        }
        while true {
            let answer = console.ask(style.bold("[d]one [s]kip [n]ote [q]uit [a]bort [?] "), keys: ["d", "y", "s", "n", "q", "a"], help: Self.manualHelp)
            switch try sharedAnswer(answer, step, recordsSkipStart: true) {
            case .flow(let flow): return flow
            case .askAgain: continue
            case .notShared: break
            }
            if case .key(let key, _) = answer, key == "d" || key == "y" {
                try recordStart(step, attempt: 1)
                try recordDecision(step, "done", reason: nil)
                try recordEnd(step, status: "done", reason: nil)
                return .next
            }
        }
    }

    private enum SharedAnswer {
        case flow(Flow)
        case askAgain
        case notShared
    }

    /// The answers every prompt shares: skip (with a reason), note, quit, abort, end of input, a signal.
    /// `recordsSkipStart`: a skip before the step ran also records its (empty) start.
    private func sharedAnswer(_ answer: Answer, _ step: Step, recordsSkipStart: Bool) throws -> SharedAnswer {
        switch answer {
        case .key("s", let rest):
            guard let reason = reasonFrom(rest, prompt: "reason for skipping: ") else { return .flow(try pause(step, "end of input")) }
            try recordDecision(step, "skip", reason: reason)
            if recordsSkipStart { try recordStart(step, attempt: 0) }
            try recordEnd(step, status: "skipped", reason: reason)
            return .flow(.next)
        case .key("n", let rest):
            guard let text = reasonFrom(rest, prompt: "note: ") else { return .flow(try pause(step, "end of input")) }
            try recordNote(step, text)
            return .askAgain
        case .key("q", _):
            return .flow(try pause(step, "quit"))
        case .key("a", _):
            try recordDecision(step, "abort", reason: nil)
            return .flow(abort())
        case .endOfInput:
            return .flow(try pause(step, "end of input"))
        case .signal(let s):
            return .flow(try pause(step, "signal \(signalName(s))", status: exitStatus(for: s)))
        default:
            return .notShared
        }
    }

    private struct Execution {
        var outcome: StepOutcome
        var succeeded: Bool
        var stop: Flow?
    }

    /// Runs the code once: step_start (synced) before the spawn, step_end (synced) after.
    private func execute(_ step: Step, code: String, edited: CodeRef?, attempt: Int) throws -> Execution {
        let language = (step.language ?? "").lowercased()
        let shellLike = StepLanguages.shellLike.contains(language)
        let interpreterName = step.interpreter ?? "bash"
        var env = stepEnvironment(step)
        let dir = stepDirectory(step, env: env)
        if let dir {
            var info = stat()
            if stat(dir, &info) != 0 || (info.st_mode & S_IFMT) != S_IFDIR {
                console.print(style.red("the step's folder '\(dir)' does not exist") + "\n")
                try recordStart(step, attempt: attempt, edited: edited)
                try recordEnd(step, status: "failed", reason: nil, error: "folder '\(dir)' does not exist")
                return Execution(outcome: StepOutcome(), succeeded: false, stop: nil)
            }
        }
        guard let executable = cachedExecutable(interpreterName, path: env["PATH"]) else {
            try recordStart(step, attempt: attempt, edited: edited)
            try recordEnd(step, status: "failed", reason: nil, error: "interpreter '\(interpreterName)' not found")
            console.print(style.red("interpreter '\(interpreterName)' is not on PATH") + "\n")
            return Execution(outcome: StepOutcome(), succeeded: false, stop: nil)
        }
        // Scratch files are reused from step to step (the folder is private and removed at the end).
        let stem = "\(tempDir)/step"
        let codeFile = stem + "." + Self.fileExtension(language)
        let envFile = stem + ".env"
        try overwriteScratchFile(codeFile, Array(code.utf8))
        var arguments: [String]
        // Exports are read back only when the code could change them (see `mayChangeExports`).
        let captureExports = shellLike && Self.mayChangeExports(code)
        if shellLike && !captureExports {
            let shellName = (interpreterName as NSString).lastPathComponent
            switch shellName {
            case "bash": arguments = [interpreterName, "--noprofile", "--norc", "-e", "-o", "pipefail", codeFile]
            case "zsh": arguments = [interpreterName, "--no-rcs", "-e", "-o", "pipefail", codeFile]
            default: arguments = [interpreterName, "-e", codeFile]
            }
        } else if shellLike {
            let wrapper = stem + ".wrapper"
            let quoted = "'" + codeFile.replacingOccurrences(of: "'", with: "'\\''") + "'"
            let shellName = (interpreterName as NSString).lastPathComponent
            // On exit, write the exported variables NUL-separated for the next steps (bash with
            // builtins only; other shells with env -0).
            let dump = shellName == "bash" ? Self.bashExportDump : "env -0 > \"$RUNBOOK_ENV_FILE\" 2>/dev/null"
            let text = "trap '__runbook_status=$?; \(dump.replacingOccurrences(of: "'", with: "'\\''")); exit $__runbook_status' EXIT\n. \(quoted)\n"
            try overwriteScratchFile(wrapper, Array(text.utf8))
            env["RUNBOOK_ENV_FILE"] = envFile
            switch shellName {
            case "bash": arguments = [interpreterName, "--noprofile", "--norc", "-e", "-o", "pipefail", wrapper]
            case "zsh": arguments = [interpreterName, "--no-rcs", "-e", "-o", "pipefail", wrapper]
            default: arguments = [interpreterName, "-e", wrapper]
            }
        } else {
            arguments = [interpreterName, codeFile]
        }

        try recordStart(step, attempt: attempt, edited: edited)
        crashPoint("after_step_start_sync")
        let outName = "out/\(journal.nextSeq - 1).log"
        let recorder = try OutputRecorder(path: runDir + "/" + outName, relativePath: outName, masker: masker.fresh(),
                                          headLimit: request.outputHead, tailLimit: request.outputTail)
        let launch = StepLaunch(executable: executable, arguments: arguments, environment: env, directory: dir,
                                interactive: step.attributes.interactive,
                                timeout: (step.attributes.timeout ?? runbook.defaults.timeout)?.seconds,
                                killGrace: request.killGrace)
        let status = step.attributes.interactive ? nil : StatusLine(console: console)
        let label = "step \(step.number) of \(runbook.steps.count) · \(step.key)"
        status?.begin("\(label) · 0s")
        let process = StepProcess(launch, signals: console.signals, output: { [console] bytes in
            console.write(bytes)
            recorder.record(bytes)
        }, tick: { elapsed in
            status?.update("\(label) · \(formatDuration(elapsed.rounded()))")
        })
        let outcome: StepOutcome
        do {
            outcome = try process.run { pid, starttime in
                var spawned = JournalRecord(type: .stepSpawned)
                spawned.key = step.key
                spawned.attempt = attempt
                spawned.pid = pid
                spawned.pgid = pid
                spawned.starttime = starttime
                try journal.append(spawned, sync: false)
            }
        } catch let error as SpawnError {
            status?.end()
            console.print(style.red(error.message) + "\n")
            let output = try recorder.finish()
            try recordEnd(step, status: "failed", reason: nil, output: output, error: error.message)
            return Execution(outcome: StepOutcome(), succeeded: false, stop: nil)
        }
        status?.end()
        let output = try recorder.finish()
        try syncDirectory(of: recorder.path)
        crashPoint("after_output_sync")

        var succeeded = false
        var statusText: String
        if outcome.timedOut { statusText = "timed_out" }
        else if outcome.stoppedOnTerminal { statusText = "failed" }
        else if outcome.interrupted { statusText = "interrupted" }
        else if let code = outcome.exitCode, step.attributes.expectExit.contains(code) { statusText = "ok"; succeeded = true }
        else { statusText = "failed" }

        var exports: [ExportedVariable] = []
        var unset: [String] = []
        if captureExports {
            if succeeded { (exports, unset) = readExports(envFile, passed: env) }
            // The dump holds every variable's value, secrets included: empty it at once.
            _ = truncate(envFile, 0)
        }
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
        record.exports = exports.isEmpty ? nil : exports
        record.unset = unset.isEmpty ? nil : unset
        if outcome.stoppedOnTerminal {
            record.error = "the step tried to read or write the terminal; mark it interactive=true"
        }
        try journal.append(record)
        counts[statusText, default: 0] += 1
        report(step, outcome: outcome, status: statusText, output: output, exports: exports)
        return Execution(outcome: outcome, succeeded: succeeded, stop: nil)
    }

    // MARK: The runbook changing under a run

    private var runbookStamp: (size: Int, mtime: Int) = (-1, -1)
    private var noticedChange = false

    /// The run keeps the runbook it started with; if the file changes on disk meanwhile, say so once
    /// and record the new file's sha256 (a stat per step; the file is read only when it changed).
    private func noticeRunbookChange() throws(JournalError) {
        guard !noticedChange else { return }
        var info = stat()
        guard stat(request.runbookPath, &info) == 0 else { return }
        let stamp = (Int(info.st_size), Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec))
        if runbookStamp.size < 0 { runbookStamp = stamp; return }
        guard stamp != runbookStamp else { return }
        runbookStamp = stamp
        guard case .bytes(let bytes)? = try? readRegularFile(request.runbookPath, limit: SourceText.sizeLimit) else { return }
        let sha = SHA256.hex(bytes)
        guard sha != runbook.sha256 else { return }
        noticedChange = true
        console.print(style.yellow("\(runbook.path) changed on disk during this run (sha256 \(sha.prefix(12))); the run goes on with the version it started with") + "\n")
        var note = JournalRecord(type: .note)
        note.text = "the runbook changed on disk during the run: sha256 \(sha); the run keeps the version it started with (\(runbook.sha256))"
        try journal.append(note)
    }

    // MARK: Resume

    private enum ResumeFlow {
        case proceed([Int: String])
        case stop(ExitStatus)
    }

    /// Compares the journal with the runbook as it is now, step by step (by key, never by position),
    /// restores exported variables, and asks the operator wherever the record cannot say what to do.
    private func planResume(_ resume: ResumeContext) throws -> ResumeFlow {
        let history = resume.history
        var done: [Int: String] = [:]
        let currentKeys = Set(runbook.steps.map(\.key))
        console.print(style.bold("Resuming run \(runId)") + " (started \(history.runStart.ts) by \(history.runStart.operatorName ?? "?")@\(history.runStart.host ?? "?"))\n")
        if let repair = resume.repair {
            console.print(style.yellow("the journal ended in a torn record (a crash mid-write): cut \(repair.discardedBytes) bytes, original kept as \(repair.backup)") + "\n")
        }
        if runbook.sha256 != history.runStart.runbook?.sha256 {
            console.print(style.yellow("the runbook changed since this run started; steps are matched by key and their code compared") + "\n")
        }
        for key in history.order where !currentKeys.contains(key) {
            console.print(style.yellow("step '\(key)' is in the journal but no longer in the runbook (removed or renamed)") + "\n")
            var note = JournalRecord(type: .note)
            note.key = key
            note.text = "removed from the runbook since it was recorded"
            try journal.append(note)
        }
        // Variables exported by completed steps come back, in journal order.
        var lost: [String] = []
        for key in history.order {
            guard let record = history.steps[key], case .completed = record.state else { continue }
            for variable in record.exports {
                if let value = variable.value { carried[variable.name] = value } else { lost.append(variable.name) }
            }
            for name in record.unset { carried.removeValue(forKey: name) }
        }
        if !lost.isEmpty {
            console.print(style.yellow("secret variables exported earlier are not stored and cannot be restored: \(lost.joined(separator: ", ")); re-run the step that exports them if later steps need them") + "\n")
        }
        let bootId = history.runStart.bootId
        for step in runbook.steps {
            guard let record = history.steps[step.key] else { continue }
            attemptsBefore[step.key] = record.attempts
            switch record.state {
            case .notStarted, .failed:
                continue
            case .completed(let status):
                if step.kind == .manual || record.codeSHA256 == nil || record.codeSHA256 == step.codeSHA256 {
                    done[step.number] = status
                    counts[status, default: 0] += 1
                    continue
                }
                console.print("\n" + style.yellow("step \(step.number) [\(step.key)] was \(status), but its code changed since it ran (\(record.codeSHA256!.prefix(12)) → \(step.codeSHA256?.prefix(12) ?? "?"))") + "\n")
                showCode(step.code ?? "", language: step.language ?? "")
                if request.assumeYes {
                    errorLine("step '\(step.key)' changed since it ran; --yes will not guess. Resume without --yes and answer, or start a new run")
                    return .stop(.paused)
                }
                switch console.ask(style.bold("[k]eep it as \(status) [r]e-run it [q]uit [?] "), keys: ["k", "r", "q"],
                                   help: "  k  keep the earlier result; the new code does not run\n  r  run the step again as it is now\n  q  quit: pause; nothing changes") {
                case .key("k", _):
                    try recordDecision(step, "keep", reason: "code changed since it ran; kept the earlier result")
                    done[step.number] = status
                    counts[status, default: 0] += 1
                case .key("r", _):
                    try recordDecision(step, "rerun", reason: "code changed since it ran")
                case .signal(let s):
                    return .stop(exitStatus(for: s))
                default:
                    try recordDecision(step, "pause", reason: "resume needs a decision on changed step")
                    return .stop(.paused)
                }
            case .unknown:
                if RunHistory.isStillRunning(record, bootId: bootId) {
                    errorLine("step '\(step.key)' of this run is still running (pid \(record.pid ?? 0)); wait for it to end or stop it, then resume")
                    return .stop(.locked)
                }
                console.print("\n" + style.yellow("step \(step.number) [\(step.key)] was started but its outcome was never recorded (the runner stopped while it ran)") + "\n")
                if step.attributes.idempotent {
                    console.print(style.dim("it is marked idempotent: it runs again") + "\n")
                    try recordDecision(step, "rerun", reason: "outcome unknown; idempotent")
                    continue
                }
                if request.assumeYes {
                    errorLine("step '\(step.key)' has an unknown outcome and is not marked idempotent; --yes will not guess. Check what it did, then resume without --yes and answer")
                    return .stop(.paused)
                }
                switch console.ask(style.bold("outcome unknown: [r]e-run [d]one (it finished) [s]kip [q]uit [?] "), keys: ["r", "d", "s", "q"],
                                   help: "  r  run it again\n  d  you checked: it finished; record it as done\n  s  skip it (asks for a reason)\n  q  quit: pause; nothing changes") {
                case .key("r", _):
                    try recordDecision(step, "rerun", reason: "outcome unknown")
                case .key("d", _):
                    try recordDecision(step, "done", reason: "outcome unknown; the operator says it finished")
                    try recordEnd(step, status: "done", reason: "confirmed by the operator after an interrupted run")
                    done[step.number] = "done"
                case .key("s", let rest):
                    guard let reason = reasonFrom(rest, prompt: "reason for skipping: ") else { return .stop(.paused) }
                    try recordDecision(step, "skip", reason: reason)
                    try recordEnd(step, status: "skipped", reason: reason)
                    done[step.number] = "skipped"
                case .signal(let s):
                    return .stop(exitStatus(for: s))
                default:
                    try recordDecision(step, "pause", reason: "resume needs a decision on a step with an unknown outcome")
                    return .stop(.paused)
                }
            }
        }
        return .proceed(done)
    }

    // MARK: Journal records

    /// Creates the run folder atomically: it is filled under a hidden name (runbook copy, journal with
    /// its run_start, synced) and renamed into place, so a crash never leaves a run without a journal.
    private func startJournal(realPath: String) throws(JournalError) {
        let finalDir = request.state.runDir(runId)
        runDir = request.state.runsDir + "/.new-" + runId
        try makePrivateDirectory(runDir, exclusive: true)
        try makePrivateDirectory(runDir + "/out")
        try makePrivateDirectory(runDir + "/code")
        try writePrivateFile(runDir + "/runbook.md", runbook.rawBytes)
        journal = try JournalWriter(creating: runDir + "/journal.jsonl", runId: runId)
        var start = JournalRecord(type: .runStart)
        start.runId = runId
        start.runbook = RunbookRef(path: request.runbookPath, realpath: realPath, sha256: runbook.sha256,
                                   bytes: runbook.byteCount, snapshot: "runbook.md")
        start.operatorName = operatorName()
        start.host = hostName()
        start.mode = "live"
        start.params = params.map { p in
            ParamValue(name: p.param.name, value: p.param.secret ? nil : p.value, secret: p.param.secret, source: p.source)
        }
        start.incident = request.incident
        start.totalSteps = runbook.steps.count
        start.tool = "runbook \(RunbookVersion.string)"
        start.pid = getpid()
        start.bootId = ProcessTable.bootId()
        try journal.append(start)
        try syncDirectory(of: runDir + "/journal.jsonl")
        guard rename(runDir, finalDir) == 0 else {
            throw JournalError("cannot move the new run folder into place as '\(finalDir)': \(errnoText(errno).lowercased())")
        }
        try syncDirectory(of: finalDir)
        runDir = finalDir
        journal.moved(to: finalDir + "/journal.jsonl")
    }

    /// Opens an earlier run's journal to append to it; records a cut torn tail and the resume itself.
    private func reopenJournal(_ resume: ResumeContext) throws(JournalError) {
        runDir = resume.runDir
        let path = runDir + "/journal.jsonl"
        journal = try JournalWriter(appendingTo: path, runId: runId, nextSeq: resume.verification.records.count,
                                    headHash: resume.verification.headHash, size: resume.verification.verifiedBytes)
        if let repair = resume.repair {
            var record = JournalRecord(type: .recovered)
            record.text = "cut a torn last record of \(repair.discardedBytes) bytes (sha256 \(repair.discardedSHA256)); the original journal is kept as \((repair.backup as NSString).lastPathComponent)"
            try journal.append(record)
        }
        var note = JournalRecord(type: .note)
        note.text = "resumed by \(operatorName())@\(hostName()) (pid \(getpid()))"
        note.pid = getpid()
        if runbook.sha256 != resume.history.runStart.runbook?.sha256 {
            // Keep a byte-exact copy of the runbook as it is now, beside the original snapshot.
            let copy = "runbook-\(runbook.sha256.prefix(12)).md"
            if access(runDir + "/" + copy, F_OK) != 0 {
                try writePrivateFile(runDir + "/" + copy, runbook.rawBytes)
                try syncDirectory(of: runDir + "/" + copy)
            }
            note.text! += "; the runbook changed since the run started: sha256 \(resume.history.runStart.runbook?.sha256 ?? "?") → \(runbook.sha256) (copy: \(copy))"
        }
        try journal.append(note)
        // Params given a different value on resume are recorded (secret ones by name only).
        let recorded = Dictionary((resume.history.runStart.params ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for p in params where p.source != "journal" {
            let before = recorded[p.param.name]
            guard p.param.secret || before?.value != p.value else { continue }
            var change = JournalRecord(type: .note)
            change.params = [ParamValue(name: p.param.name, value: p.param.secret ? nil : p.value, secret: p.param.secret, source: p.source)]
            change.text = p.param.secret
                ? "secret param \(p.param.name) given again on resume (\(p.source))"
                : "param \(p.param.name) is '\(p.value)' from here on (\(p.source)); it was '\(before?.value ?? "")'"
            try journal.append(change)
        }
    }

    /// A private scratch folder for step files; removed at the end.
    private func makeTempDir() throws(JournalError) {
        let tmp = NSTemporaryDirectory().hasSuffix("/") ? String(NSTemporaryDirectory().dropLast()) : NSTemporaryDirectory()
        var template = Array("\(tmp)/runbook-\(runId)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw JournalError("cannot create a private temporary folder: \(errnoText(errno).lowercased())")
        }
        tempDir = String(cString: made)
    }

    private func recordStart(_ step: Step, attempt: Int, edited: CodeRef? = nil) throws {
        var record = JournalRecord(type: .stepStart)
        record.key = step.key
        record.number = step.number
        record.kind = step.kind.rawValue
        record.line = step.line
        record.attempt = attempt
        record.codeSHA256 = step.codeSHA256
        record.editedCode = edited
        record.interpreter = step.interpreter
        record.interactive = step.attributes.interactive ? true : nil
        try journal.append(record)
    }

    private func recordEnd(_ step: Step, status: String, reason: String?, output: OutputRef? = nil, error: String? = nil) throws {
        var record = JournalRecord(type: .stepEnd)
        record.key = step.key
        record.number = step.number
        record.status = status
        record.reason = reason.map { masker.mask($0).0 }
        record.output = output
        record.error = error
        try journal.append(record)
        counts[status, default: 0] += 1
    }

    private func recordDecision(_ step: Step, _ choice: String, reason: String?) throws {
        var record = JournalRecord(type: .decision)
        record.key = step.key
        record.choice = choice
        record.reason = reason.map { masker.mask($0).0 }
        try journal.append(record)
    }

    private func recordNote(_ step: Step, _ text: String) throws {
        var record = JournalRecord(type: .note)
        record.key = step.key
        let (masked, count) = masker.mask(String(text.prefix(4096)))
        record.text = masked
        if text.count > 4096 { console.print(style.yellow("note cut to 4096 characters in the record") + "\n") }
        if count > 0 { console.print(style.yellow("\(count) secret value(s) masked in the note") + "\n") }
        try journal.append(record)
    }

    private func abort() -> Flow {
        aborted = true
        return .stop(.stepFailed)
    }

    private func pause(_ step: Step, _ why: String, status: ExitStatus = .paused) throws -> Flow {
        try recordDecision(step, "pause", reason: why)
        return .stop(status)
    }

    // MARK: Display

    private func printHeader() {
        console.print(style.bold("▶ \(runbook.title ?? runbook.path)") + "\n")
        console.print("runbook: \(runbook.path)  sha256 \(runbook.sha256.prefix(12))\n")
        var line = "run: \(runId)  operator: \(operatorName())@\(hostName())  mode: live"
        if let incident = request.incident { line += "  incident: \(incident)" }
        console.print(line + "\n")
        if !params.isEmpty {
            let shown = params.map { "\($0.param.name)=\($0.param.secret ? "[secret]" : $0.value)" }
            console.print("params: " + shown.joined(separator: " ") + "\n")
        }
        console.print("steps: \(runbook.steps.count)\(request.assumeYes ? "  (--yes: running without asking)" : "")\n")
    }

    private func showStep(_ step: Step) {
        console.print("\n" + style.bold("── step \(step.number)/\(runbook.steps.count): \(step.title)") + style.dim("  [\(step.key)] line \(step.line)") + "\n")
        if !step.prose.isEmpty && step.prose != step.title {
            console.print(step.prose + "\n")
        }
        if step.kind == .code {
            showCode(step.code ?? "", language: step.language ?? "")
            let attrs = step.attributes.written.filter { $0.key != "id" && $0.key != "name" }
            if !attrs.isEmpty {
                console.print(style.dim(attrs.map { a in a.value.map { "\(a.key)=\($0)" } ?? a.key }.joined(separator: " ")) + "\n")
            }
        } else {
            console.print(style.cyan("☐ \(step.title)") + "\n")
        }
    }

    private func showCode(_ code: String, language: String) {
        console.print(style.dim("```\(language)") + "\n")
        console.print(style.cyan(code.hasSuffix("\n") ? code : code + "\n"))
        console.print(style.dim("```") + "\n")
    }

    private func report(_ step: Step, outcome: StepOutcome, status: String, output: OutputRef, exports: [ExportedVariable]) {
        var parts: [String] = []
        if let code = outcome.exitCode { parts.append("exit \(code)") }
        if let sig = outcome.signal { parts.append("killed by SIG\(signalName(sig))") }
        parts.append(formatDuration(Double(outcome.durationMs) / 1000))
        let text = "\(status == "ok" ? "✔" : "✘") \(status) (\(parts.joined(separator: ", ")))"
        console.print((status == "ok" ? style.green(text) : style.red(text)) + "\n")
        if outcome.timedOut {
            console.print(style.red("timed out after \((step.attributes.timeout ?? runbook.defaults.timeout)?.display ?? "?"); sent \(outcome.signalsSent.joined(separator: ", ")) to the step's process group") + "\n")
        }
        if outcome.stoppedOnTerminal {
            console.print(style.red("the step tried to use the terminal and was stopped; mark it {interactive} in the runbook") + "\n")
        }
        if !outcome.leftovers.isEmpty {
            let list = outcome.leftovers.map { "\($0.command) (pid \($0.pid))" }.joined(separator: ", ")
            console.print(style.yellow("killed \(outcome.leftovers.count) process(es) the step left running: \(list)") + "\n")
        }
        if output.truncated {
            console.print(style.yellow("output record cut: kept the first and last bytes, dropped \(output.bytesDropped) of \(output.bytesTotal) (\(output.file))") + "\n")
        }
        if output.masked > 0 {
            console.print(style.yellow("\(output.masked) secret value(s) masked in the output record") + "\n")
        }
        if !exports.isEmpty {
            console.print(style.dim("exported for later steps: " + exports.map(\.name).joined(separator: ", ")) + "\n")
        }
    }

    private func errorLine(_ text: String) {
        var line = "runbook: error: \(text)\n"
        line.withUTF8 { writeAll(2, UnsafeRawBufferPointer($0)) }
    }

    // MARK: Environment

    private func stepEnvironment(_ step: Step) -> [String: String] {
        var env = request.environment
        for variable in runbook.defaults.env { env[variable.name] = expandVariables(variable.value, env) }
        for p in params { env[p.param.name] = p.value }
        for (name, value) in carried { env[name] = value }
        for variable in step.attributes.env { env[variable.name] = expandVariables(variable.value, env) }
        env["RUNBOOK_RUN_ID"] = runId
        env["RUNBOOK_STEP_KEY"] = step.key
        env["RUNBOOK_STEP_NUMBER"] = String(step.number)
        env["RUNBOOK_FILE"] = runbook.path
        env["RUNBOOK_DIR"] = runbookFolder()
        env.removeValue(forKey: "RUNBOOK_ENV_FILE")
        return env
    }

    private func runbookFolder() -> String { folderOfRunbook }

    private lazy var folderOfRunbook: String = {
        let folder = (URL(fileURLWithPath: request.runbookPath).standardizedFileURL.path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "." : folder
    }()

    /// Interpreter paths found on PATH, by (name, PATH).
    private var executableCache: [String: String] = [:]

    private func cachedExecutable(_ name: String, path: String?) -> String? {
        let key = name + "\u{0}" + (path ?? "")
        if let hit = executableCache[key] { return hit }
        let found = findExecutable(name, path: path)
        if let found { executableCache[key] = found }
        return found
    }

    private func stepDirectory(_ step: Step, env: [String: String]) -> String? {
        guard let raw = step.attributes.dir ?? runbook.defaults.dir else { return nil }
        let expanded = expandVariables(raw, env)
        return expanded.hasPrefix("/") ? expanded : runbookFolder() + "/" + expanded
    }

    /// Names a step may not carry to the next one: the shell's own bookkeeping and runbook's variables.
    private static let notCarried: Set<String> = ["_", "SHLVL", "PWD", "OLDPWD", "RUNBOOK_ENV_FILE", "RUNBOOK_RUN_ID",
                                                  "RUNBOOK_STEP_KEY", "RUNBOOK_STEP_NUMBER", "RUNBOOK_FILE", "RUNBOOK_DIR"]

    private func readExports(_ file: String, passed: [String: String]) -> ([ExportedVariable], [String]) {
        guard case .bytes(let bytes)? = try? readRegularFile(file, limit: 64 * 1024 * 1024) else { return ([], []) }
        var after: [String: String] = [:]
        for entry in bytes.split(separator: 0, omittingEmptySubsequences: true) {
            guard let eq = entry.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = String(decoding: entry[entry.startIndex..<eq], as: UTF8.self)
            after[name] = String(decoding: entry[(eq + 1)...], as: UTF8.self)
        }
        var exports: [ExportedVariable] = []
        for (name, value) in after.sorted(by: { $0.key < $1.key }) where !Self.notCarried.contains(name) && name.hasPrefix("BASH_FUNC_") == false {
            guard passed[name] != value else { continue }
            carried[name] = value
            let (masked, count) = masker.mask(value)
            let secret = secretNames.contains(name) || count > 0
            exports.append(ExportedVariable(name: name, value: secret ? nil : masked, secret: secret))
        }
        var unset: [String] = []
        for name in passed.keys.sorted() where after[name] == nil && !Self.notCarried.contains(name) {
            if carried.removeValue(forKey: name) != nil || request.environment[name] != nil { unset.append(name) }
        }
        return (exports, unset)
    }

    // MARK: Preflight

    /// Problems that would stop a step from starting, found before anything runs.
    private func preflight() -> [String] {
        var problems: [String] = []
        let env = request.environment
        let path = env["PATH"]
        var reportedInterpreters = Set<String>()
        // Only what is known before the run: params and front matter env (exports come later).
        var known = env
        for variable in runbook.defaults.env { known[variable.name] = expandVariables(variable.value, known) }
        for p in params { known[p.param.name] = p.value }
        for step in runbook.steps where step.kind == .code && !step.attributes.skip {
            let where_ = "\(runbook.path):\(step.line)"
            if let interpreter = step.interpreter, findExecutable(interpreter, path: path) == nil, !reportedInterpreters.contains(interpreter) {
                reportedInterpreters.insert(interpreter)
                problems.append("\(where_): step '\(step.key)' needs '\(interpreter)', which is not on PATH; install it or change the block's language")
            }
            if step.attributes.interactive && (isatty(0) != 1 || isatty(1) != 1) {
                problems.append("\(where_): step '\(step.key)' is interactive and needs a terminal, but standard input or output is not one; run it from a terminal")
            }
            if let raw = step.attributes.dir ?? runbook.defaults.dir {
                let referencesLater = raw.contains("$") && expandVariables(raw, known) != expandVariables(raw, known.merging(["__probe": ""]) { a, _ in a })
                if !referencesLater {
                    let dir = stepDirectory(step, env: known) ?? raw
                    var info = stat()
                    if stat(dir, &info) != 0 || (info.st_mode & S_IFMT) != S_IFDIR {
                        problems.append("\(where_): step '\(step.key)' runs in '\(dir)', which does not exist; create it or fix dir=")
                    }
                }
            }
        }
        return problems
    }

    // MARK: Prompts, editor, shell

    private func promptForParam(_ param: Param) -> String? {
        var prompt = "param \(style.cyan(param.name))"
        if let d = param.description { prompt += " (\(d))" }
        if let pattern = param.pattern { prompt += " [\(pattern)]" }
        prompt += param.secret ? " (hidden): " : ": "
        while true {
            guard case .key(_, let value) = console.readText(prompt, secret: param.secret) else { return nil }
            if let pattern = param.pattern, let regex = try? NSRegularExpression(pattern: pattern), !fullMatch(regex, value),
               console.source == .terminal {
                console.print(style.yellow("that does not match \(pattern); try again") + "\n")
                continue
            }
            return value
        }
    }

    private func reasonFrom(_ rest: String, prompt: String) -> String? {
        if !rest.isEmpty { return rest }
        while true {
            guard case .key(_, let text) = console.readText(prompt) else { return nil }
            let trimmed = text.trimmingSpaces()
            if !trimmed.isEmpty { return trimmed }
            console.print(style.yellow("a reason is required") + "\n")
        }
    }

    private func editCode(_ step: Step, _ code: String) throws -> (code: String, ref: CodeRef)? {
        let file = "\(tempDir)/edit-\(step.number).\(Self.fileExtension((step.language ?? "").lowercased()))"
        unlink(file)
        try writePrivateFile(file, Array(code.utf8))
        let editor = request.environment["VISUAL"] ?? request.environment["EDITOR"] ?? "vi"
        let parts = editor.split(separator: " ").map(String.init)
        guard let program = parts.first, let executable = findExecutable(program, path: request.environment["PATH"]) else {
            console.print(style.red("editor '\(editor)' not found; set EDITOR") + "\n")
            return nil
        }
        _ = runForeground(executable, parts + [file], env: request.environment, dir: nil)
        guard case .bytes(let bytes)? = try? readRegularFile(file, limit: 16 * 1024 * 1024) else { return nil }
        let newCode = String(decoding: bytes, as: UTF8.self)
        unlink(file)
        guard newCode != code else {
            console.print(style.dim("no change") + "\n")
            return nil
        }
        // What is stored is masked like everything else; its hash is of the stored text.
        let (stored, maskedCount) = masker.mask(newCode)
        if maskedCount > 0 {
            console.print(style.yellow("\(maskedCount) secret value(s) masked in the stored copy of the edited code") + "\n")
        }
        let sha = SHA256.hex(stored)
        let relative = "code/\(step.number)-edited-\(sha.prefix(12)).\(Self.fileExtension((step.language ?? "").lowercased()))"
        let target = runDir + "/" + relative
        if access(target, F_OK) != 0 {
            try writePrivateFile(target, Array(stored.utf8))
            try syncDirectory(of: target)
        }
        let ref = CodeRef(file: relative, sha256: sha)
        var record = JournalRecord(type: .decision)
        record.key = step.key
        record.choice = "edit"
        record.codeSHA256 = step.codeSHA256
        record.editedCode = ref
        try journal.append(record)
        console.print(style.yellow("code edited; the edited version will run and is recorded as \(relative)") + "\n")
        return (newCode, ref)
    }

    private func openShell(_ step: Step) {
        let env = stepEnvironment(step)
        let shell = request.environment["SHELL"] ?? runbook.defaults.shell
        guard let executable = findExecutable(shell, path: env["PATH"]) else {
            console.print(style.red("shell '\(shell)' not found") + "\n")
            return
        }
        console.print(style.dim("opening \(shell) with the run's environment; exit it to return to this step") + "\n")
        _ = runForeground(executable, [shell], env: env, dir: stepDirectory(step, env: env))
        console.print(style.dim("back in the run") + "\n")
    }

    /// Runs a program in the runner's own process group on the operator's terminal and waits.
    private func runForeground(_ executable: String, _ arguments: [String], env: [String: String], dir: String?) -> Int32 {
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = argv.withUnsafeBufferPointer { a in
            envp.withUnsafeBufferPointer { e in
                (dir ?? "").withCString { d in
                    rb_spawn(&pid, executable, a.baseAddress, e.baseAddress, dir == nil ? nil : d, 0, 1, 2, nil, 0)
                }
            }
        }
        guard rc == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        _ = console.signals.drain()
        return status
    }

    // MARK: Helpers

    /// Whether shell code could change what is exported: only an assignment or one of these words
    /// (builtins that set, export, unset or read variables, or run other code in this shell) can.
    /// Code without any of them runs directly, without the export-capturing wrapper.
    static func mayChangeExports(_ code: String) -> Bool {
        let words: Set<Substring> = ["export", "declare", "typeset", "local", "readonly", "set", "unset", "source", ".",
                                     "eval", "builtin", "command", "enable", "read", "mapfile", "readarray", "printf",
                                     "getopts", "for", "select", "let", "((", "cd", "pushd", "popd", "shopt", "alias"]
        let separators: Set<Character> = [" ", "\t", "\n", ";", "|", "&", "(", ")", "<", ">", "`", "{", "}", "!"]
        for token in code.split(whereSeparator: { separators.contains($0) }) {
            if words.contains(token) { return true }
            // NAME= or NAME+= at the start of a word is an assignment.
            if let eq = token.firstIndex(of: "="), eq != token.startIndex {
                var name = token[..<eq]
                if name.hasSuffix("+") { name = name.dropLast() }
                if let first = name.first, first == "_" || first.isLetter, name.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }) {
                    return true
                }
            }
        }
        return code.contains("((")
    }

    /// Writes bash's exported variables NUL-separated with builtins only (no fork): every name by
    /// its first letter (`${!a@}` … `${!_@}`), kept when its attributes (`${n@a}`) include x.
    private static let bashExportDump: String = {
        let prefixes = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_".map { "${!\($0)@}" }.joined(separator: " ")
        return "for __runbook_n in \(prefixes); do [[ ${!__runbook_n@a} == *x* ]] && printf '%s=%s\\0' \"$__runbook_n\" \"${!__runbook_n}\"; done > \"$RUNBOOK_ENV_FILE\" 2>/dev/null"
    }()

    private static func fileExtension(_ language: String) -> String {
        switch language {
        case "python", "python3": return "py"
        case "node": return "js"
        case "ruby": return "rb"
        case "perl": return "pl"
        default: return "sh"
        }
    }

    private func exitStatus(for signal: Int32) -> ExitStatus {
        switch signal {
        case SIGINT: return .interrupted
        case SIGHUP: return .hangup
        default: return .terminated
        }
    }

    private func crashPoint(_ name: String) {
        #if DEBUG
        if request.environment["RUNBOOK_TEST_CRASH_AT"] == name { raise(SIGKILL) }
        #endif
    }

    private func removeTempDir() {
        guard !tempDir.isEmpty else { return }
        try? FileManager.default.removeItem(atPath: tempDir)
    }

    private func makeRunId() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        var seconds = tv.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let random = (0..<4).map { _ in UInt8.random(in: 0...255) }
        return String(format: "%04d%02d%02dT%02d%02d%02dZ-", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec) + hexString(random)
    }

    private func operatorName() -> String {
        if let user = request.environment["USER"] ?? request.environment["LOGNAME"], !user.isEmpty { return user }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return String(getuid())
    }

    private func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static let stepHelp = """
      r  run the step (y also runs)
      s  skip it (asks for a reason, recorded)
      e  edit the code in $EDITOR first (the edited code runs and is recorded beside the original)
      n  add a note to the record
      q  quit: pause the run; it stays resumable
      a  abort the run
    """
    static let failureHelp = """
      r  retry the step
      s  skip it (asks for a reason, recorded)
      h  open a shell with the run's environment, then come back here
      n  add a note to the record
      q  quit: pause the run; it stays resumable
      a  abort the run
    """
    static let manualHelp = """
      d  done: you did it (y also works)
      s  skip it (asks for a reason, recorded)
      n  add a note to the record
      q  quit: pause the run; it stays resumable
      a  abort the run
    """
}
