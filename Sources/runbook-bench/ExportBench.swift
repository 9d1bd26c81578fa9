// `runbook-bench export`: `runbook export` of runs of 100,000 journal records in the three formats:
// wall time and peak memory (targets: under 2 s and 64 MiB). Two shapes: 33,333 steps run once
// each (a 2 MB runbook copy), and 100 steps of 333 attempts each (a 6 KB runbook); every attempt
// is step_start, step_spawned and step_end with one line of output.
import Foundation
import RunbookKit

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a run folder as `runbook run` leaves it after `steps` one-line steps of `attempts`
/// attempts each (all but the last failed), in journal format 2: the runbook copy, the journal
/// (records chained as the runner writes them) streamed to disk, and `output.log` with every
/// attempt's line one after another. Returns the journal's size.
private func writeExportRun(at dir: String, steps: Int, attempts: Int) throws -> Int {
    try FileManager.default.createDirectory(atPath: dir + "/code", withIntermediateDirectories: true)
    var runbook = "---\ntitle: Export benchmark\n---\n# Export benchmark\n\n"
    for i in 0..<steps {
        if i % 10 == 0 { runbook += "## Part \(i / 10)\n\nTen steps of the benchmark.\n\n" }
        runbook += "```bash {id=s-\(i)}\necho \"step \(i) of the benchmark\"\n```\n\n"
    }
    let runbookBytes = Array(runbook.utf8)
    _ = FileManager.default.createFile(atPath: dir + "/runbook.md", contents: Data(runbookBytes))
    let runId = "20261201T090000Z-0000e4e4"
    _ = FileManager.default.createFile(atPath: dir + "/journal.jsonl", contents: nil)
    guard let journal = FileHandle(forWritingAtPath: dir + "/journal.jsonl") else { throw CocoaError(.fileWriteUnknown) }
    defer { try? journal.close() }
    var prev = SHA256.hex(Array("runbook-journal-v1\u{0}".utf8) + Array(runId.utf8))
    var seq = 0
    var size = 0
    var pending = [UInt8]()
    // Lines as the writer makes them: sorted keys, the fields of docs/journal.md; `rest` is every
    // key after `prev` and `seq`, `first` every key before them.
    func append(_ first: String, _ rest: String, type: String) {
        let ts = isoTimestamp(WallTime(seconds: 1_796_115_600 + seq / 100, microseconds: (seq % 100) * 10_000))
        let line = Array("{\(first)\"prev\":\"\(prev)\",\"seq\":\(seq),\(rest)\"ts\":\"\(ts)\",\"type\":\"\(type)\",\"v\":2}".utf8)
        prev = SHA256.hex(line)
        pending += line + [0x0A]
        size += line.count + 1
        seq += 1
        if pending.count > 1 << 20 {
            journal.write(Data(pending))
            pending.removeAll(keepingCapacity: true)
        }
    }
    var log = [UInt8]()  // output.log
    let ref =
        "{\"bytes\":\(runbookBytes.count),\"path\":\"bench.md\",\"realpath\":\"/srv/bench.md\",\"sha256\":\"\(SHA256.hex(runbookBytes))\",\"snapshot\":\"runbook.md\"}"
    append(
        "\"host\":\"bench-host\",\"mode\":\"live\",\"operator\":\"bench\",\"params\":[],\"pid\":4242,",
        "\"run_id\":\"\(runId)\",\"runbook\":\(ref),\"tool\":\"runbook bench\",\"total_steps\":\(steps),", type: "run_start")
    for i in 0..<steps {
        let key = "\"key\":\"s-\(i)\","
        let code = SHA256.hex("echo \"step \(i) of the benchmark\"\n")
        for attempt in 1...attempts {
            let last = attempt == attempts
            let offset = log.count
            append(
                "\"attempt\":\(attempt),\"code_sha256\":\"\(code)\",\"interpreter\":\"bash\",\(key)\"kind\":\"code\",\"line\":1,\"number\":\(i + 1),\"output_offset\":\(offset),",
                "", type: "step_start")
            let output = Array("step \(i) of the benchmark, attempt \(attempt)\n".utf8)
            log += output
            append("\"attempt\":\(attempt),\(key)\"pgid\":10000,\"pid\":10000,", "\"starttime\":\(1_000_000 + seq),", type: "step_spawned")
            let outputRef =
                "{\"bytes_dropped\":0,\"bytes_kept\":\(output.count),\"bytes_total\":\(output.count),\"file\":\"output.log\",\"inline\":\"\(Data(output).base64EncodedString())\",\"masked\":0,\"offset\":\(offset),\"sha256\":\"\(SHA256.hex(output))\",\"truncated\":false}"
            append(
                "\"attempt\":\(attempt),\"duration_ms\":2,\"exit_code\":\(last ? 0 : 1),\(key)\"number\":\(i + 1),\"output\":\(outputRef),",
                "\"status\":\"\(last ? "ok" : "failed")\",", type: "step_end")
        }
    }
    append("\"counts\":{\"failed\":\(steps * (attempts - 1)),\"ok\":\(steps)},\"exit_status\":0,", "\"status\":\"completed\",", type: "run_end")
    journal.write(Data(pending))
    _ = FileManager.default.createFile(atPath: dir + "/output.log", contents: Data(log))
    return size
}

/// The benchmark's two run folders under `dir`: `steps/<id>` (33,333 steps × 1 attempt) and
/// `attempts/<id>` (100 steps × 333 attempts).
func writeExportRuns(under dir: String) throws {
    for (name, steps, attempts) in [("steps", 33_333, 1), ("attempts", 100, 333)] {
        _ = try writeExportRun(at: dir + "/\(name)/20261201T090000Z-0000e4e4", steps: steps, attempts: attempts)
    }
}

/// Runs argv with its output to /dev/null; (seconds, peak RSS in KiB from its own VmHWM, exit code).
private func timedRun(_ argv: [String]) -> (Double, Int, Int32) {
    var pid: pid_t = 0
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for fd: Int32 in [1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0) }
    let cArgs = argv.map { strdup($0) } + [nil]
    defer { for pointer in cArgs { free(pointer) } }
    let start = now()
    precondition(posix_spawn(&pid, argv[0], &actions, nil, cArgs, environ) == 0, "cannot start \(argv[0])")
    var status: Int32 = 0
    var peak = 0
    while true {
        if let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kib = Int(line.split(separator: " ").dropFirst().first ?? "")
        {
            peak = max(peak, kib)
        }
        if waitpid(pid, &status, WNOHANG) == pid { break }
        usleep(2_000)
    }
    return (now() - start, peak, (status >> 8) & 0xFF)
}

func benchExport() {
    let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("runbook").path
    guard FileManager.default.isExecutableFile(atPath: exe) else {
        print("export: skipped, no runbook binary at \(exe); build it first (swift build -c release --static-swift-stdlib)")
        return
    }
    for (steps, attempts) in [(33_333, 1), (100, 333)] {
        let dir = NSTemporaryDirectory() + "runbook-export-bench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = dir + "/runs/20261201T090000Z-0000e4e4"
        let bytes: Int
        do { bytes = try writeExportRun(at: run, steps: steps, attempts: attempts) } catch {
            print("export: skipped, cannot write the bench run: \(error)")
            return
        }
        let copy = (try? FileManager.default.attributesOfItem(atPath: run + "/runbook.md")[.size] as? Int) ?? 0
        print(
            String(
                format: "export: %d records: %d steps × %d attempts (runbook copy %.1f KB, journal %.1f MB, format 2: %d outputs in one output.log)",
                2 + 3 * steps * attempts, steps, attempts, Double(copy) / 1e3, Double(bytes) / 1e6, steps * attempts))
        for format in ["markdown", "json", "html"] { benchFormat(exe, run: run, format: format, out: dir + "/record.\(format)") }
    }
}

/// One format: 5 timed runs after one that warms the page cache; the median time and the peak memory.
private func benchFormat(_ exe: String, run: String, format: String, out: String) {
    var times: [Double] = []
    var peaks: [Int] = []
    for round in 0..<6 {
        let (seconds, peak, code) = timedRun([exe, "export", run, "--format", format, "-o", out])
        precondition(code == 0, "runbook export --format \(format) exited \(code)")
        if round > 0 { (times, peaks) = (times + [seconds], peaks + [peak]) }
    }
    let size = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
    let (time, peak) = (median(times), Double(peaks.max() ?? 0) / 1024)
    print(
        String(
            format: "  %@: median %.0f ms, min %.0f ms, peak RSS %.1f MiB, %.1f MB written (targets < 2 s: %@, < 64 MiB: %@)",
            format.padding(toLength: 8, withPad: " ", startingAt: 0), time * 1000, (times.min() ?? .nan) * 1000, peak, Double(size) / 1e6,
            time < 2 ? "met" : "MISSED", peak < 64 ? "met" : "MISSED"))
}
