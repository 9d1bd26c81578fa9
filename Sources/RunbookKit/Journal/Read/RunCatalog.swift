import Foundation

/// One run as `runbook runs` lists it.
public struct RunSummary: Codable, Sendable, Equatable {
    /// The run id.
    public var runId: String
    /// Its folder.
    public var dir: String
    /// The runbook's path as given when the run started.
    public var runbook: String
    /// The runbook's real path.
    public var runbookRealpath: String
    /// When it started.
    public var started: String
    /// `user@host`.
    public var operatorName: String
    /// The incident id, if one was given.
    public var incident: String?
    /// When it ended, if it did.
    public var ended: String?
    /// running, paused (stopped on purpose, resumable), interrupted (the runner died; resumable),
    /// completed, completed_with_failures, aborted, or damaged (the journal fails verification).
    public var state: String
    /// The runner's pid, while it runs.
    public var pid: Int32?
    /// The step whose outcome is unknown (interrupted runs).
    public var unknownStep: String?
    /// `live`, or `rehearsal` (`run --dry-run`: nothing ran).
    public var mode: String
    /// Steps that finished (ok, done or skipped).
    public var stepsRecorded: Int
    /// Steps the runbook had when the run started.
    public var totalSteps: Int

    enum CodingKeys: String, CodingKey {
        case runId = "run_id"
        case dir, runbook
        case runbookRealpath = "realpath"
        case started
        case operatorName = "operator"
        case incident, ended
        case state, pid, mode
        case unknownStep = "unknown_step"
        case stepsRecorded = "steps_recorded"
        case totalSteps = "total_steps"
    }
}

/// The runs under a state directory: lists them, derives their state, and finds the one a
/// command names (a run id, a run folder, a journal file, or a runbook file).
public struct RunCatalog: Sendable {
    /// Where the runs are.
    public let state: StateDirectory

    /// The catalog of `state`.
    public init(state: StateDirectory) { self.state = state }

    /// Every run, oldest first (`oldestFirst`). `.new-*` folders are runs still being created (or
    /// whose creation crashed): not runs yet.
    public func list() -> [RunSummary] {
        Self.oldestFirst(runFolderNames().compactMap { summary(ofRunIn: state.runDir($0)) })
    }

    /// The names of the run folders (not the hidden `.new-*` ones), in no particular order.
    private func runFolderNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: state.runsDir)) ?? []).filter { !$0.hasPrefix(".") }
    }

    /// `runs` by when each started, its `run_start` time to the millisecond, then by folder: not by
    /// folder name alone, whose random part orders two runs of the same second by chance. Runs whose
    /// start time cannot be read come first, by folder: a run with a known start is always the later.
    static func oldestFirst(_ runs: [RunSummary]) -> [RunSummary] {
        let keyed = runs.map { (run: $0, started: isTimestamp($0.started) ? $0.started : "") }
        return keyed.sorted { a, b in a.started != b.started ? a.started < b.started : a.run.dir < b.run.dir }.map(\.run)
    }

    /// Whether `text` is a journal time, `2026-11-26T09:30:00.123Z`: fixed width, so such times
    /// order as text.
    private static func isTimestamp(_ text: String) -> Bool {
        let pattern = Array("dddd-dd-ddTdd:dd:dd.dddZ".utf8)
        let bytes = Array(text.utf8)
        guard bytes.count == pattern.count else { return false }
        return zip(bytes, pattern).allSatisfy { byte, want in want == UInt8(ascii: "d") ? (0x30...0x39).contains(byte) : byte == want }
    }

    /// The summary of the run in `dir`; nil when it has no readable journal with a run_start.
    public func summary(ofRunIn dir: String) -> RunSummary? {
        // Streamed: the records are folded as they are read, never held all at once.
        var builder = RunHistory.Builder()
        guard let verification = try? JournalVerifier.scan(path: dir + "/journal.jsonl", visit: { builder.add($0) }) else { return nil }
        return summary(of: builder, verification: verification, dir: dir)
    }

    /// The summary of the run in `dir` whose journal `builder` folded and `verification` checked;
    /// nil when the journal has no run_start.
    func summary(of builder: RunHistory.Builder, verification: JournalVerification, dir: String) -> RunSummary? {
        guard let history = try? RunHistory(builder) else { return nil }
        let start = history.runStart
        let total = history.latestTotalSteps ?? start.totalSteps ?? 0
        var summary = RunSummary(
            runId: history.runId, dir: dir, runbook: start.runbook?.path ?? "?", runbookRealpath: start.runbook?.realpath ?? "",
            started: start.ts, operatorName: "\(start.operatorName ?? "?")@\(start.host ?? "?")", incident: start.incident,
            ended: history.runEnd?.ts, state: "paused", pid: nil, unknownStep: nil, mode: start.mode ?? "live",
            stepsRecorded: min(history.finishedCount, total),
            totalSteps: total)
        if verification.problem != nil {
            summary.state = "damaged"
        } else if let end = history.runEnd {
            summary.state = end.status ?? "completed"
        } else if let holder = RunLock.currentHolder(runbookRealpath: summary.runbookRealpath, state: state), holder.runId == history.runId {
            summary.state = "running"
            summary.pid = holder.pid
        } else if !history.endedInPause || history.unknownStep != nil {
            summary.state = "interrupted"
            summary.unknownStep = history.unknownStep?.key
        }
        return summary
    }

    /// The latest run of the runbook at `realpath` that has not ended (paused, interrupted or
    /// running), if there is one; damaged runs are not offered.
    public func unfinished(realpath: String, mode: String) -> RunSummary? {
        // Only the runs of this runbook are verified: `run` asks this at every start.
        // A run whose last line is its run_end has ended: it is not read further (a long history
        // of finished runs costs a read of two lines each, not a verification).
        summaries(where: { $0.runbook?.realpath == realpath && ($0.mode ?? "live") == mode }, unlessEnded: true)
            .last { $0.ended == nil && $0.state != "damaged" }
    }

    /// The summaries of the runs whose first record passes `filter`, oldest first (`oldestFirst`);
    /// a journal is verified only when its `run_start` (its first line) matches.
    private func summaries(where filter: (JournalRecord) -> Bool, unlessEnded: Bool = false) -> [RunSummary] {
        let runs: [RunSummary] = runFolderNames().compactMap { name in
            let dir = state.runDir(name)
            let ends = Self.ends(ofJournal: dir + "/journal.jsonl", last: unlessEnded) { filter($0) }
            guard let start = ends.first, filter(start) else { return nil }
            if unlessEnded && ends.last?.type == .runEnd { return nil }
            return summary(ofRunIn: dir)
        }
        return Self.oldestFirst(runs)
    }

    /// The first record of a journal, read from its first line alone (at most 64 KiB, the line cap).
    static func runStart(ofJournal path: String) -> JournalRecord? { ends(ofJournal: path, last: false).first }

    /// A journal's first record and, when `last` is asked for and `wantLast` says yes to the first,
    /// its last one: one open, the first 64 KiB (the line cap) and, for a longer journal, its last
    /// 64 KiB; each line read by the journal's fast parser. A run that ended has its `run_end` last.
    /// `run` asks this of every earlier run of its runbook at each start: with thousands of runs
    /// from a loop over hosts it must stay cheap.
    static func ends(
        ofJournal path: String, last: Bool, wantLast: (JournalRecord) -> Bool = { _ in true }
    ) -> (first: JournalRecord?, last: JournalRecord?) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return (nil, nil) }
        defer { close(fd) }
        var stats = stat()
        guard fstat(fd, &stats) == 0, stats.st_size > 0 else { return (nil, nil) }
        let size = Int(stats.st_size)
        let cap = 64 * 1024
        // Buffers of what is read, not zero-filled 64 KiB: `runs` reads every run's journal this way.
        func read(_ count: Int, at offset: Int) -> [UInt8]? {
            let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                initialized = max(0, pread(fd, buffer.baseAddress, count, off_t(offset)))
            }
            return bytes.isEmpty ? nil : bytes  // a journal cut meanwhile gives what is left
        }
        guard let head = read(min(cap, size), at: 0), let newline = head.firstIndex(of: 0x0A), let first = record(head[..<newline])
        else { return (nil, nil) }
        guard last, wantLast(first) else { return (first, nil) }
        let from = max(0, size - cap)
        guard let tail = from == 0 ? head : read(size - from, at: from) else { return (first, nil) }
        guard tail.last == 0x0A else { return (first, nil) }  // a torn last line: not a run_end
        let body = tail.dropLast()
        let start = body.lastIndex(of: 0x0A).map { body.index(after: $0) } ?? body.startIndex
        return (first, record(body[start...]))
    }

    /// One journal line as a record: the fast parser, else Foundation's decoder (the parser
    /// leaves what it does not know to it).
    private static func record(_ line: ArraySlice<UInt8>) -> JournalRecord? {
        JournalLineParser.parse(line) ?? (try? JSONDecoder().decode(JournalRecord.self, from: Data(line)))
    }

    /// What a target named on the command line turned out to be.
    public enum Located: Equatable, Sendable {
        /// A run folder.
        case run(String)
        /// Nothing usable: the message says why and what to try.
        case problem(String)
    }

    /// The run folder to resume for `target`: a folder, a journal file, a run id, or a runbook file
    /// (its latest unfinished run). `environment`: the commands a problem suggests name the state
    /// directory when it alone would not find it.
    public func locateForResume(_ target: String, environment: [String: String]) -> Located {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: target, isDirectory: &isDir) {
            if isDir.boolValue { return .run(target) }
            if target.hasSuffix("journal.jsonl") { return .run(RunFileCheck.folder(ofJournal: target)) }
            let real = URL(fileURLWithPath: target).resolvingSymlinksInPath().path
            let runs = summaries { $0.runbook?.realpath == real }.filter { $0.ended == nil }
            guard let latest = runs.last else {
                let run = state.command("runbook run \(shellQuoted(target))", environment: environment)
                return .problem("no unfinished run of \(target) under \(state.runsDir); start one with '\(run)'")
            }
            return .run(latest.dir)
        }
        let dir = state.runDir(target)
        if FileManager.default.fileExists(atPath: dir + "/journal.jsonl") { return .run(dir) }
        return .problem("no run '\(target)' under \(state.runsDir); '\(state.command("runbook runs", environment: environment))' lists them")
    }

    /// The journal file for `target`: a journal file, a run folder, or a run id in `state` (when
    /// there is one). The path may not exist; reading it says so.
    public static func journalPath(for target: String, state: StateDirectory?) -> String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: target, isDirectory: &isDir) {
            return isDir.boolValue ? target + "/journal.jsonl" : target
        }
        guard let state else { return target }
        return state.runDir(target) + "/journal.jsonl"
    }
}
