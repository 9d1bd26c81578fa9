// `runbook-bench verify`: `runbook verify` of a run with 100,000 journal records (33,333 one-line
// `true` steps: step_start, step_spawned and step_end each, after run_start), its 33,333 output
// files and its runbook copy: wall time and the verifier's peak memory.
import Foundation
import RunbookKit

/// Writes a run folder as `runbook run --yes` leaves it after `steps` steps of `true`: the journal
/// (records shaped and chained as the runner writes them), an empty `out/<seq>.log` per step and
/// the runbook copy. Returns the journal's size in bytes.
private func writeRun(at dir: String, steps: Int) throws -> Int {
    try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: dir + "/code", withIntermediateDirectories: true)
    var runbook = "# Bench\n\n"
    for i in 0..<steps { runbook += "```bash {id=s-\(i)}\ntrue\n```\n\n" }
    let runbookBytes = Array(runbook.utf8)
    _ = FileManager.default.createFile(atPath: dir + "/runbook.md", contents: Data(runbookBytes))
    let runId = "20261201T090000Z-0000beef"
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var prev = SHA256.hex(Array("runbook-journal-v1\u{0}".utf8) + Array(runId.utf8))
    var journal = [UInt8]()
    journal.reserveCapacity(steps * 330 + 1024)
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
    var start = JournalRecord(type: .runStart)
    start.runId = runId
    // RunbookRef and OutputRef have no public memberwise initializers: decode them as a reader would.
    let decoder = JSONDecoder()
    start.runbook = try decoder.decode(
        RunbookRef.self,
        from: Data(
            #"{"path":"bench.md","realpath":"/srv/bench.md","sha256":"\#(SHA256.hex(runbookBytes))","bytes":\#(runbookBytes.count),"snapshot":"runbook.md"}"#
                .utf8))
    start.operatorName = "bench"
    start.host = "bench-host"
    start.mode = "live"
    start.params = []
    start.totalSteps = steps
    start.tool = "runbook bench"
    start.pid = 4242
    try append(start)
    let codeSHA = SHA256.hex(Array("true\n".utf8))
    let emptySHA = SHA256.hex([UInt8]())
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
        try append(stepStart)
        let output = "out/\(seq - 1).log"
        _ = FileManager.default.createFile(atPath: dir + "/" + output, contents: Data())
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
        end.output = try decoder.decode(
            OutputRef.self,
            from: Data(
                #"{"file":"\#(output)","sha256":"\#(emptySHA)","bytes_total":0,"bytes_kept":0,"bytes_dropped":0,"truncated":false,"masked":0}"#
                    .utf8))
        try append(end)
    }
    _ = FileManager.default.createFile(atPath: dir + "/journal.jsonl", contents: Data(journal))
    return journal.count
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
    do { bytes = try writeRun(at: run, steps: steps) } catch {
        print("verify: skipped, cannot write the bench run: \(error)")
        return
    }
    let records = 1 + 3 * steps
    print(String(format: "verify: a run of %d records (%d steps of true; journal %.1f MB) and %d output files", records, steps, Double(bytes) / 1e6, steps))
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
}
