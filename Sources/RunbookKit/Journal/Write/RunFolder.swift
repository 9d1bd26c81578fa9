import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A run's folder under the state directory: `journal.jsonl`, `runbook.md` (the byte-exact copy
/// the run started with), `output.log` (every step's output, one after another) and `code/`
/// (edited code). Runs written before journal format version 2 have `out/` (one output file per
/// attempt) instead of `output.log`.
enum RunFolder {
    /// Creates the run folder atomically: it is filled under a hidden name (runbook copy, journal
    /// with its `runStart` record, synced) and renamed into place, so a crash never leaves a run
    /// without a journal. Returns the journal, open for appending, at its final path.
    static func create(
        state: StateDirectory, runId: String, runbookBytes: [UInt8], runStart: JournalRecord, clock: any RunClock, failAtSeq: Int?
    ) throws -> JournalWriter {
        let finalDir = state.runDir(runId)
        let newDir = state.runsDir + "/.new-" + runId
        try makePrivateDirectory(newDir, exclusive: true)
        try makePrivateDirectory(newDir + "/code")
        try writePrivateFile(newDir + "/runbook.md", runbookBytes)
        try writePrivateFile(newDir + "/" + OutputLog.name, [], sync: false)
        let journal = try JournalWriter(creating: newDir + "/journal.jsonl", runId: runId, clock: clock, failAtSeq: failAtSeq)
        // The journal's creation synced the folder with all three files in it; run_start is synced
        // by its own append.
        try journal.append(runStart)
        guard rename(newDir, finalDir) == 0 else {
            throw JournalError("cannot move the new run folder into place as '\(finalDir)': \(errnoText(errno).lowercased())")
        }
        try syncDirectory(of: finalDir)
        journal.moved(to: finalDir + "/journal.jsonl")
        return journal
    }

    /// Opens the verified journal of the run in `dir` to append to it (resume).
    static func reopen(dir: String, runId: String, verification: JournalVerification, clock: any RunClock, failAtSeq: Int?) throws(JournalError)
        -> JournalWriter
    {
        try JournalWriter(
            appendingTo: dir + "/journal.jsonl", runId: runId, nextSeq: verification.recordCount,
            headHash: verification.headHash, size: verification.verifiedBytes, clock: clock, failAtSeq: failAtSeq)
    }

    /// Keeps `bytes` as `relative` inside the run folder `dir` (synced), unless a file of that
    /// name is there already (names carry the content's hash).
    static func keep(_ bytes: [UInt8], as relative: String, in dir: String) throws(StorageError) {
        let target = dir + "/" + relative
        guard access(target, F_OK) != 0 else { return }
        try writePrivateFile(target, bytes)
        try syncDirectory(of: target)
    }
}
