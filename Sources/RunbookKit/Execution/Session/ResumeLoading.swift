import Foundation

/// A run that can be resumed: found, verified, locked, repaired, its history read.
public struct ResumeTicket {
    /// The run's folder.
    public let runDir: String
    /// What the journal says.
    public let history: RunHistory
    /// The journal as verified under the lock.
    public let verification: JournalVerification
    /// Set when a torn last record was cut (and recorded, at once).
    public let repair: JournalRepair.Repair?
    /// The runbook the run last ran, read from its byte-exact copy in the run folder; nil when
    /// the copy is missing or unreadable (then only the journal's keys and code hashes are known).
    public let recorded: Runbook?
    /// The runbook's lock, held until the resumed run ends.
    let lock: RunLock

    /// The runbook to load: its real path if it still exists, else the path it was run by.
    public var runbookPath: String {
        guard let ref = history.runStart.runbook else { return "" }
        return FileManager.default.fileExists(atPath: ref.realpath) ? ref.realpath : ref.path
    }

    /// Gives the runbook's lock back without resuming (`--new-run` takes it again for the new run).
    public func release() { lock.release() }

    /// Where the byte-exact copy of the runbook the run last ran is.
    public var snapshotPath: String { runDir + "/" + (history.latestRunbook?.snapshot ?? "runbook.md") }
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
        var verification = verification
        var repair: JournalRepair.Repair?
        if verification.tornTail != nil {
            do {
                let cut = try JournalRepair.cutTornTail(path: journalPath, keep: verification.verifiedBytes, at: context.clock.now())
                repair = cut
                // Recorded at once, so the record of the repair survives a resume that stops early.
                let journal = try RunFolder.reopen(
                    dir: runDir, runId: verification.records.first?.runId ?? "", verification: verification, clock: context.clock,
                    failAtSeq: journalFaultSeq)
                var record = JournalRecord(type: .recovered)
                record.text =
                    "cut a torn last record of \(cut.discardedBytes) bytes (sha256 \(cut.discardedSHA256)); the original journal is kept as \((cut.backup as NSString).lastPathComponent)"
                try journal.append(record)
                verification = try JournalVerifier.verify(path: journalPath)
            } catch {
                return refuse(failureText(error), .journalUnwritable)
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
        let snapshot = runDir + "/" + (history.latestRunbook?.snapshot ?? "runbook.md")
        let recorded = try? RunbookParser.parse(path: snapshot)
        return .success(
            ResumeTicket(runDir: runDir, history: history, verification: verification, repair: repair, recorded: recorded, lock: lock))
    }

    private func refuse(_ text: String, _ outcome: RunOutcome) -> Result<ResumeTicket, RunOutcome> {
        context.error(text)
        return .failure(outcome)
    }
}
