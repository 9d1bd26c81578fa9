import Foundation

/// A run that can be resumed: found, verified, locked, repaired, its history read.
public struct ResumeTicket {
    /// The run's folder.
    public let runDir: String
    /// What the journal says.
    public let history: RunHistory
    /// The journal as verified under the lock.
    public let verification: JournalVerification
    /// Set when a torn last record was cut.
    public let repair: JournalRepair.Repair?
    /// The runbook's lock, held until the resumed run ends.
    let lock: RunLock

    /// The runbook to load: its real path if it still exists, else the path it was run by.
    public var runbookPath: String {
        guard let ref = history.runStart.runbook else { return "" }
        return FileManager.default.fileExists(atPath: ref.realpath) ? ref.realpath : ref.path
    }

    /// Where the byte-exact copy of the runbook the run started with is.
    public var snapshotPath: String { runDir + "/" + (history.runStart.runbook?.snapshot ?? "runbook.md") }
}

extension RunLauncher {
    /// Finds the run `target` names (a run id, folder, journal or runbook file), verifies its
    /// journal, takes its runbook's lock before touching it (a live run may still be writing),
    /// verifies again under the lock, and cuts a torn last record. Prints what is wrong and returns
    /// the outcome when the run cannot be resumed.
    public func prepareResume(_ target: String) -> Result<ResumeTicket, RunOutcome> {
        let runDir: String
        switch RunCatalog(state: context.stateDirectory).locateForResume(target) {
        case .run(let dir): runDir = dir
        case .problem(let text): return refuse(text, .refused)
        }
        let journalPath = runDir + "/journal.jsonl"
        var verification: JournalVerification
        do { verification = try JournalVerifier.verify(path: journalPath) } catch { return refuse(error.message, .refused) }
        if let problem = verification.problem {
            return refuse(
                "\(journalPath): journal verification failed: \(problem). It will not be resumed or changed; check it with 'runbook verify' and start a new run",
                .damagedJournal)
        }
        guard let startRef = verification.records.first?.runbook else {
            return refuse("\(journalPath): the journal has no run_start record naming a runbook", .damagedJournal)
        }
        let lock: RunLock
        switch takeLock(runbookRealpath: startRef.realpath, runId: verification.records.first?.runId ?? "?", runbookName: startRef.path) {
        case .success(let taken): lock = taken
        case .failure(let stop): return .failure(stop.outcome)
        }
        // Verify again under the lock: what was read before may have been mid-write.
        do { verification = try JournalVerifier.verify(path: journalPath) } catch { return refuse(error.message, .refused) }
        if let problem = verification.problem {
            return refuse("\(journalPath): journal verification failed: \(problem)", .damagedJournal)
        }
        return loadHistory(runDir: runDir, journalPath: journalPath, verification: verification, lock: lock)
    }

    private func loadHistory(runDir: String, journalPath: String, verification: JournalVerification, lock: RunLock) -> Result<ResumeTicket, RunOutcome> {
        var repair: JournalRepair.Repair?
        if verification.tornTail != nil {
            do {
                repair = try JournalRepair.cutTornTail(path: journalPath, keep: verification.verifiedBytes, at: context.clock.now())
            } catch {
                return refuse(error.message, .journalUnwritable)
            }
        }
        let history: RunHistory
        do { history = try RunHistory(records: verification.records) } catch { return refuse("\(journalPath): \(error.message)", .damagedJournal) }
        if let end = history.runEnd {
            return refuse(
                "run \(history.runId) already ended (\(end.status ?? "ended") at \(end.ts)); nothing to resume. Start a new run with 'runbook run'",
                .refused)
        }
        guard history.runStart.runbook != nil else {
            return refuse("\(journalPath): the run_start record names no runbook", .damagedJournal)
        }
        return .success(ResumeTicket(runDir: runDir, history: history, verification: verification, repair: repair, lock: lock))
    }

    private func refuse(_ text: String, _ outcome: RunOutcome) -> Result<ResumeTicket, RunOutcome> {
        context.error(text)
        return .failure(outcome)
    }
}
