import ArgumentParser
import Foundation
import RunbookKit
#if canImport(Glibc)
import Glibc
#endif

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Continue a paused or interrupted run where it stopped.",
        discussion: """
        Verifies the run's journal (a torn last record from a crash is cut and kept aside; any \
        other damage stops with exit 4), then compares it with the runbook as it is now, step \
        by step, by key: steps that finished are not run again; a finished step whose code \
        changed, and a step whose outcome is unknown (the runner died while it ran), need \
        your decision (an idempotent step with an unknown outcome simply runs again). \
        Variables exported by finished steps come back; params keep their recorded values \
        (secrets must be given again). --yes never guesses: it exits 5 where a decision is needed.

        Give a run id, a run folder, or the runbook file (its latest unfinished run is taken).

        Examples:
          $ runbook resume runbooks/rollback.md
          $ runbook resume 20261126T093000Z-1a2b3c4d
          $ runbook runs          # to find the run id

        \(ExitStatus.summary)
        """
    )

    @Argument(help: "A run id, a run folder, or a runbook file.", completion: .file(extensions: ["md", "markdown"]))
    var target: String

    @Flag(name: [.short, .long], help: "Run the remaining steps without asking (never decides for you where the record is unclear).")
    var yes = false

    @OptionGroup var params: ParamOptions

    @Option(help: ArgumentHelp("Where runs and locks are kept.", valueName: "DIR"), completion: .directory)
    var stateDir: String?

    func run() throws {
        let environment = processEnvironment()
        let signals = SignalPipe()
        let state = try resolveState(stateDir, environment: environment)
        let runDir: String
        switch RunLocator.find(target, state: state) {
        case .found(let dir): runDir = dir
        case .problem(let message): throw fail(message, .badInput)
        }
        let journalPath = runDir + "/journal.jsonl"
        var verification: JournalVerification
        do {
            verification = try JournalVerifier.verify(path: journalPath)
        } catch {
            throw fail("\(error.message)", .badInput)
        }
        if let problem = verification.problem {
            throw fail("\(journalPath): journal verification failed: \(problem). It will not be resumed or changed; check it with 'runbook verify' and start a new run", .journalIntegrity)
        }
        // Take the runbook's lock before touching the journal: a live run may still be writing it.
        guard let startRef = verification.records.first?.runbook else {
            throw fail("\(journalPath): the journal has no run_start record naming a runbook", .journalIntegrity)
        }
        let outcome: RunLock.Outcome
        do {
            try state.prepare()
            let holder = LockHolder(user: environment["USER"] ?? "?", host: ProcessInfo.processInfo.hostName, pid: getpid(),
                                    runId: verification.records.first?.runId ?? "?", since: isoTimestamp(), runbook: startRef.realpath)
            outcome = try RunLock.acquire(state: state, runbookRealpath: startRef.realpath, holder: holder)
        } catch {
            throw fail("\(error.message)", .journalIO)
        }
        let lock: RunLock
        switch outcome {
        case .acquired(let l): lock = l
        case .held(let other, let path):
            throw fail("" + RunLock.heldMessage(runbook: startRef.path, holder: other, path: path) + "", .locked)
        }
        // Verify again under the lock: what was read before may have been mid-write.
        do {
            verification = try JournalVerifier.verify(path: journalPath)
        } catch {
            throw fail("\(error.message)", .badInput)
        }
        if let problem = verification.problem {
            throw fail("\(journalPath): journal verification failed: \(problem)", .journalIntegrity)
        }
        var repair: JournalRepair.Repair?
        if verification.tornTail != nil {
            do {
                repair = try JournalRepair.cutTornTail(path: journalPath, keep: verification.verifiedBytes)
            } catch {
                writeStderr("runbook: error: \(error.message)\n")
                throw ExitCode(ExitStatus.journalIO.rawValue)
            }
        }
        let history: RunHistory
        do {
            history = try RunHistory(records: verification.records)
        } catch {
            throw fail("\(journalPath): \(error.message)", .journalIntegrity)
        }
        if let end = history.runEnd {
            throw fail("run \(history.runId) already ended (\(end.status ?? "ended") at \(end.ts)); nothing to resume. Start a new run with 'runbook run'", .badInput)
        }
        guard let ref = history.runStart.runbook else {
            throw fail("\(journalPath): the run_start record names no runbook", .journalIntegrity)
        }
        let runbookPath = FileManager.default.fileExists(atPath: ref.realpath) ? ref.realpath : ref.path
        let runbook = try loadRunbook(runbookPath, environment: environment,
                                      whatNext: "the run's copy of the runbook as it started is \(runDir)/\(ref.snapshot)")
        var request = RunRequest(runbookPath: runbookPath, state: state, environment: environment)
        request.assumeYes = yes
        request.incident = history.runStart.incident
        request.sets = params.pairs
        request.resume = ResumeContext(runDir: runDir, history: history, verification: verification, repair: repair)
        request.lock = lock
        try launch(request, runbook: runbook, signals: signals, environment: environment)
    }
}

/// Finds a run folder from a run id, a folder, or a runbook file (its latest unfinished run).
enum RunLocator {
    enum Result {
        case found(String)
        case problem(String)
    }

    static func find(_ target: String, state: StateDirectory) -> Result {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: target, isDirectory: &isDir) {
            if isDir.boolValue { return .found(target) }
            if target.hasSuffix("journal.jsonl") { return .found((target as NSString).deletingLastPathComponent) }
            let real = URL(fileURLWithPath: target).resolvingSymlinksInPath().path
            let runs = RunSummary.list(state: state).filter { $0.runbookRealpath == real && $0.ended == nil }
            guard let latest = runs.last else {
                return .problem("no unfinished run of \(target) under \(state.runsDir); start one with 'runbook run \(target)'")
            }
            return .found(latest.dir)
        }
        let dir = state.runDir(target)
        if FileManager.default.fileExists(atPath: dir + "/journal.jsonl") { return .found(dir) }
        return .problem("no run '\(target)' under \(state.runsDir); 'runbook runs' lists them")
    }
}
