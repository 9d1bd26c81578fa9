import Foundation

/// A run that can be resumed: found, locked, verified under the lock, repaired, its history read.
public struct ResumeTicket {
    /// The run's folder.
    public let runDir: String
    /// What the journal says.
    public let history: RunHistory
    /// The journal as verified under the lock (streamed: its records are not kept, `history`
    /// holds what resuming needs of them).
    public let verification: JournalVerification
    /// Set when a torn last record was cut (and recorded, at once).
    public let repair: JournalRepair.Repair?
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

    /// What matching needs of the runbook the run last ran, read from its byte-exact copy in the
    /// run folder: `current` itself when the copy has the same bytes (one parse, not two, for an
    /// unchanged runbook); nil when the copy is missing or unreadable (then only the journal's keys
    /// and code hashes are known).
    func recorded(comparedWith current: Runbook) -> RecordedRunbook? {
        switch try? readRegularFile(snapshotPath, limit: SourceText.sizeLimit) {
        case .bytes(let bytes)?:
            return bytes == current.rawBytes ? RecordedRunbook(sameAs: current) : RecordedRunbook(RunbookParser.parse(bytes: bytes, path: snapshotPath))
        case .tooLarge?: return (try? RunbookParser.parse(path: snapshotPath)).map { RecordedRunbook($0) }
        case nil: return nil
        }
    }

    /// The run's copy of its runbook as read before the runbook as it is now is parsed (see
    /// `readRecordedCopy`).
    public struct RecordedCopy: Sendable {
        /// The copy had the bytes of the runbook file (with this SHA-256): it was not parsed.
        fileprivate let sameAsFile: String?
        /// What matching needs of the copy, parsed; nil when it is missing or unreadable.
        fileprivate let steps: RecordedRunbook?
    }

    /// Reads the run's copy of its runbook before the runbook at `path` is parsed: when the two
    /// files have the same bytes nothing is parsed (the runbook's own parse serves), otherwise the
    /// copy is parsed and only what matching needs of it is kept, so the copy's parse and the
    /// runbook's are never in memory together.
    public func readRecordedCopy(comparedWithFileAt path: String) -> RecordedCopy {
        switch try? readRegularFile(snapshotPath, limit: SourceText.sizeLimit) {
        case .bytes(let bytes)?:
            if case .bytes(let now)? = try? readRegularFile(path, limit: SourceText.sizeLimit), now == bytes {
                return RecordedCopy(sameAsFile: SHA256.hex(bytes), steps: nil)
            }
            return RecordedCopy(sameAsFile: nil, steps: RecordedRunbook(RunbookParser.parse(bytes: bytes, path: snapshotPath)))
        case .tooLarge?: return RecordedCopy(sameAsFile: nil, steps: (try? RunbookParser.parse(path: snapshotPath)).map { RecordedRunbook($0) })
        case nil: return RecordedCopy(sameAsFile: nil, steps: nil)
        }
    }

    /// What matching needs of the runbook the run last ran, for `current`: from `copy` when it was
    /// read before (unless the runbook file changed between the two reads), else as `recorded(comparedWith:)`.
    func recordedSteps(_ copy: RecordedCopy?, current: Runbook) -> RecordedRunbook? {
        guard let copy, copy.sameAsFile == nil || copy.sameAsFile == current.sha256 else {
            return recorded(comparedWith: current)
        }
        return copy.sameAsFile != nil ? RecordedRunbook(sameAs: current) : copy.steps
    }
}

extension RunLauncher {
    /// Finds the run `target` names (a run id, folder, journal or runbook file), takes its
    /// runbook's lock before reading its journal whole (a live run may still be writing), verifies
    /// the journal once, under the lock, streamed, and cuts a torn last record. Only the journal's
    /// first line is read before the lock (to know which runbook's lock to take); the verified
    /// journal must start with that same record. Prints what is wrong and returns the outcome
    /// when the run cannot be resumed.
    public func prepareResume(_ target: String) -> Result<ResumeTicket, RunOutcome> {
        prepareResume(target, underLock: {})
    }

    /// `prepareResume`, with `underLock` called once the lock is held, before the journal is
    /// verified (tests change the journal there).
    func prepareResume(_ target: String, underLock: () -> Void) -> Result<ResumeTicket, RunOutcome> {
        let runDir: String
        switch RunCatalog(state: context.stateDirectory).locateForResume(target, environment: context.environment) {
        case .run(let dir): runDir = dir
        case .problem(let text): return refuse(text, .refused)
        }
        let journalPath = runDir + "/journal.jsonl"
        guard let first = RunCatalog.runStart(ofJournal: journalPath), first.type == .runStart, let startRef = first.runbook else {
            // Not resumable whatever the lock: verify (no lock needed to refuse) to say why.
            let problem: String
            do { problem = try JournalVerifier.scan(path: journalPath, visit: { _ in }).problem ?? "the run_start record names no runbook" } catch {
                return refuse(error.message, .refused)
            }
            return refuse(
                "\(journalPath): journal verification failed: \(problem). It will not be resumed or changed; check it with 'runbook verify' and start a new run",
                .damagedJournal)
        }
        let lock: RunLock
        switch takeLock(runbookRealpath: startRef.realpath, runId: first.runId ?? "?", runbookName: startRef.path) {
        case .success(let taken): lock = taken
        case .failure(let stop): return .failure(stop.outcome)
        }
        underLock()
        var builder = RunHistory.Builder()
        let verification: JournalVerification
        do { verification = try JournalVerifier.scan(path: journalPath) { builder.add($0) } } catch {
            lock.release()
            return refuse(error.message, .refused)
        }
        if let problem = verification.problem {
            lock.release()
            return refuse(
                "\(journalPath): journal verification failed: \(problem). It will not be resumed or changed; check it with 'runbook verify' and start a new run",
                .damagedJournal)
        }
        // The lock is the one of the runbook the first line named: the verified journal must be that run's.
        guard builder.first?.runId == first.runId, builder.first?.runbook?.realpath == startRef.realpath else {
            lock.release()
            return refuse(
                "\(journalPath): the journal changed while resume opened it (its first record now names run \(builder.first?.runId ?? "?") of \(builder.first?.runbook?.realpath ?? "?"), not run \(first.runId ?? "?") of \(startRef.realpath)); nothing was changed. Check it with 'runbook verify' and try again",
                .damagedJournal)
        }
        return loadHistory(runDir: runDir, journalPath: journalPath, verification: verification, builder: builder, lock: lock)
    }

    private func loadHistory(
        runDir: String, journalPath: String, verification: JournalVerification, builder: RunHistory.Builder, lock: RunLock
    ) -> Result<ResumeTicket, RunOutcome> {
        var verification = verification
        var builder = builder
        var repair: JournalRepair.Repair?
        if verification.tornTail != nil {
            do {
                let cut = try JournalRepair.cutTornTail(path: journalPath, keep: verification.verifiedBytes, at: context.clock.now())
                repair = cut
                // Recorded at once, so the record of the repair survives a resume that stops early.
                let journal = try RunFolder.reopen(
                    dir: runDir, runId: builder.first?.runId ?? "", verification: verification, clock: context.clock,
                    failAtSeq: journalFaultSeq)
                var record = JournalRecord(type: .recovered)
                record.text =
                    "cut a torn last record of \(cut.discardedBytes) bytes (sha256 \(cut.discardedSHA256)); the original journal is kept as \((cut.backup as NSString).lastPathComponent)"
                try journal.append(record)
                // Only after a crash: the repaired journal is verified again, whole, still under the lock.
                builder = RunHistory.Builder()
                verification = try JournalVerifier.scan(path: journalPath) { builder.add($0) }
            } catch {
                lock.release()
                return refuse(failureText(error), .journalUnwritable)
            }
        }
        let history: RunHistory
        do { history = try RunHistory(builder) } catch {
            lock.release()
            return refuse("\(journalPath): \(error.message)", .damagedJournal)
        }
        if let end = history.runEnd {
            lock.release()
            return refuse(
                "run \(history.runId) already ended (\(end.status ?? "ended") at \(end.ts)); nothing to resume. Start a new run with 'runbook run'",
                .refused)
        }
        return .success(ResumeTicket(runDir: runDir, history: history, verification: verification, repair: repair, lock: lock))
    }

    private func refuse(_ text: String, _ outcome: RunOutcome) -> Result<ResumeTicket, RunOutcome> {
        context.error(text)
        return .failure(outcome)
    }
}
