// `runbook-bench verify`: `runbook verify` of a run with 100,000 journal records (33,333 one-line
// `true` steps: step_start, step_spawned and step_end each, after run_start), its output log and
// its runbook copy: wall time and the verifier's peak memory; then `runs`, `status` and `resume`
// on the same run, and `runs` over 10,000 runs (ScaleBench.swift).
import Foundation
import RunbookKit

/// Writes a run folder as `runbook run --yes` leaves it after `steps` steps of `true` (journal
/// format 2): the journal (records shaped and chained as the runner writes them), the empty
/// `output.log` the steps wrote nothing to, and the runbook copy. The run has no `run_end`: it
/// stopped after its last step, so `resume` can end it (with `ended`, a `run_end` closes it). `runbookPath` is the real path its
/// `run_start` names (the caller puts a runbook there when it needs one). Returns the journal's size.
func writeRun(
    at dir: String, steps: Int, runId: String = "20261201T090000Z-0000beef", runbookPath: String = "/srv/bench.md", ended: Bool = false
) throws -> Int {
    try FileManager.default.createDirectory(atPath: dir + "/code", withIntermediateDirectories: true)
    var runbook = "# Bench\n\n"
    for i in 0..<steps { runbook += "```bash {id=s-\(i)}\ntrue\n```\n\n" }
    let runbookBytes = Array(runbook.utf8)
    _ = FileManager.default.createFile(atPath: dir + "/runbook.md", contents: Data(runbookBytes))
    _ = FileManager.default.createFile(atPath: dir + "/output.log", contents: Data())
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var prev = SHA256.hex(Array("runbook-journal-v1\u{0}".utf8) + Array(runId.utf8))
    var journal = [UInt8]()
    journal.reserveCapacity(steps * 360 + 1024)
    var seq = 0
    func append(_ record: JournalRecord) throws {
        var record = record
        record.seq = seq
        record.prev = prev
        record.ts = "2026-12-01T09:00:00.000Z"
        let line = Array(try encoder.encode(record))
        prev = SHA256.hex(line)
        journal += line + [0x0A]
        seq += 1
    }
    try append(try benchRunStart(runId: runId, runbookBytes: runbookBytes, runbookPath: runbookPath, steps: steps))
    let codeSHA = SHA256.hex(Array("true\n".utf8))
    // OutputRef has no public memberwise initializer: decode it as a reader would.
    let decoder = JSONDecoder()
    // Every step wrote nothing: its output is the empty slice at 0 of output.log, carried inline.
    let output = try decoder.decode(
        OutputRef.self,
        from: Data(
            #"{"file":"output.log","offset":0,"inline":"","sha256":"\#(SHA256.hex([UInt8]()))","bytes_total":0,"bytes_kept":0,"bytes_dropped":0,"truncated":false,"masked":0}"#
                .utf8))
    for i in 0..<steps {
        let key = "s-\(i)"
        var stepStart = JournalRecord(type: .stepStart)
        stepStart.key = key
        stepStart.number = i + 1
        stepStart.kind = "code"
        stepStart.line = 3 + 4 * i
        stepStart.attempt = 1
        stepStart.codeSHA256 = codeSHA
        stepStart.interpreter = "bash"
        stepStart.outputOffset = 0
        try append(stepStart)
        var spawned = JournalRecord(type: .stepSpawned)
        spawned.key = key
        spawned.attempt = 1
        spawned.pid = Int32(10_000 + i % 30_000)
        spawned.pgid = spawned.pid
        spawned.starttime = UInt64(1_000_000 + i)
        try append(spawned)
        var end = JournalRecord(type: .stepEnd)
        end.key = key
        end.number = i + 1
        end.attempt = 1
        end.status = "ok"
        end.exitCode = 0
        end.durationMs = 2
        end.output = output
        try append(end)
    }
    if ended {
        var runEnd = JournalRecord(type: .runEnd)
        runEnd.status = "completed"
        runEnd.exitStatus = 0
        runEnd.counts = ["ok": steps]
        try append(runEnd)
    }
    _ = FileManager.default.createFile(atPath: dir + "/journal.jsonl", contents: Data(journal))
    return journal.count
}

/// The run_start of the bench run: `steps` steps of the runbook `runbookBytes`, at `runbookPath`.
private func benchRunStart(runId: String, runbookBytes: [UInt8], runbookPath: String, steps: Int) throws -> JournalRecord {
    var start = JournalRecord(type: .runStart)
    start.runId = runId
    // RunbookRef has no public memberwise initializer: decode it as a reader would.
    let decoder = JSONDecoder()
    start.runbook = try decoder.decode(
        RunbookRef.self,
        from: Data(
            #"{"path":"bench.md","realpath":"\#(runbookPath)","sha256":"\#(SHA256.hex(runbookBytes))","bytes":\#(runbookBytes.count),"snapshot":"runbook.md"}"#
                .utf8))
    start.operatorName = "bench"
    start.host = "bench-host"
    start.mode = "live"
    start.params = []
    start.totalSteps = steps
    start.tool = "runbook bench"
    start.pid = 4242
    return start
}

func benchVerify() {
    let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("runbook").path
    guard FileManager.default.isExecutableFile(atPath: exe) else {
        print("verify: skipped, no runbook binary at \(exe); build it first (swift build -c release --static-swift-stdlib)")
        return
    }
    let dir = NSTemporaryDirectory() + "runbook-verify-bench-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let steps = 33_333
    let run = dir + "/runs/20261201T090000Z-0000beef"
    let bytes: Int
    // The runbook the run names is there too, unchanged since the run started (resume reads it).
    do {
        bytes = try writeRun(at: run, steps: steps, runbookPath: dir + "/bench.md")
        try FileManager.default.copyItem(atPath: run + "/runbook.md", toPath: dir + "/bench.md")
    } catch {
        print("verify: skipped, cannot write the bench run: \(error)")
        return
    }
    let records = 1 + 3 * steps
    print(
        String(
            format: "verify: a run of %d records (%d steps of true; journal %.1f MB, format 2: one output.log) and its runbook copy", records, steps,
            Double(bytes) / 1e6))
    var times: [Double] = []
    var peaks: [Int] = []
    for argv in [[exe, "verify", run]] + Array(repeating: [exe, "verify", run], count: 5) {
        let (seconds, peak, code) = spawnTimed(argv)
        precondition(code == 0, "runbook verify exited \(code)")
        times.append(seconds)
        peaks.append(peak)
    }
    times.removeFirst()  // the first run warms the page cache
    peaks.removeFirst()
    let (chainSeconds, chainPeak, chainCode) = spawnTimed([exe, "verify", "--chain-only", run])
    precondition(chainCode == 0, "runbook verify --chain-only exited \(chainCode)")
    let time = median(times)
    let peak = Double(peaks.max() ?? 0) / 1024
    print(
        String(
            format: "  runbook verify (chain and files): median %.0f ms, min %.0f ms, peak RSS %.1f MiB over %d runs (targets < 1 s: %@, < 64 MiB: %@)",
            time * 1000, (times.min() ?? .nan) * 1000, peak, times.count, time < 1 ? "met" : "MISSED", peak < 64 ? "met" : "MISSED"))
    print(String(format: "  runbook verify --chain-only: %.0f ms, peak RSS %.1f MiB", chainSeconds * 1000, Double(chainPeak) / 1024))
    // The other read-side commands on the same run (issue 7's scale targets: each < 1 s and < 64 MiB).
    for (name, argv) in [("runs", [exe, "runs", "--state-dir", dir]), ("status", [exe, "status", "--state-dir", dir, "20261201T090000Z-0000beef"])] {
        var took: [Double] = []
        var most = 0
        for _ in 0..<3 {
            let (seconds, peak, code) = spawnTimed(argv)
            precondition(code == 0, "runbook \(name) exited \(code)")
            took.append(seconds)
            most = max(most, peak)
        }
        let t = median(took)
        let mib = Double(most) / 1024
        print(
            String(
                format: "  runbook %@: median %.0f ms, peak RSS %.1f MiB over 3 runs (targets < 1 s: %@, < 64 MiB: %@)", name, t * 1000, mib,
                t < 1 ? "met" : "MISSED", mib < 64 ? "met" : "MISSED"))
    }
    benchResume(exe, run: run, scratch: dir)
    benchManyRuns(exe, scratch: dir)
}
