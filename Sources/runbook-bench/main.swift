// Benchmarks for runbook. Run with:  swift run -c release runbook-bench [parse|startup|all]
//
// parse:   parse+lint time of generated runbooks of 1k, 10k and 100k steps (median of several runs).
// startup: wall time of `runbook --version` (the release binary next to this one).
import Foundation
import RunbookKit
#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s[s.count / 2]
}

/// A runbook of `steps` code steps, ten to a section, each with prose, an id and three lines of bash.
func generateRunbook(steps: Int) -> [UInt8] {
    var out = "---\ntitle: Generated\nparams:\n  TAG:\n    default: v1\n---\n# Generated runbook\n\n"
    for i in 0..<steps {
        if i % 10 == 0 { out += "## Section \(i / 10)\n\nThis section does things.\n\n" }
        out += "Step \(i) checks the service and prints its state.\n\n"
        out += "```bash {id=step-\(i) timeout=30s}\necho \"step \(i) of $TAG\"\ncurl --fail --silent http://127.0.0.1/healthz/ || true\nexport LAST=\(i)\n```\n\n"
    }
    return Array(out.utf8)
}

func benchParse() {
    print("parse+lint (read file, byte checks, front matter, cmark, steps, keys, lint)")
    print("steps      bytes        median ms   runs")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-bench-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    var medians: [Int: Double] = [:]
    for steps in [1_000, 10_000, 100_000] {
        let bytes = generateRunbook(steps: steps)
        let path = dir.appendingPathComponent("gen-\(steps).md").path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let runs = steps >= 100_000 ? 5 : 15
        var times: [Double] = []
        for _ in 0..<runs {
            let t0 = now()
            let runbook = try! RunbookParser.parse(path: path)
            let t1 = now()
            precondition(runbook.steps.count == steps && !runbook.hasErrors, "generated runbook did not parse cleanly")
            times.append((t1 - t0) * 1000)
        }
        medians[steps] = median(times)
        print(String(format: "%-10d %-12d %9.2f   %d", steps, bytes.count, median(times), runs))
    }
    let ratio = medians[100_000]! / medians[10_000]!
    print(String(format: "10k target < 50 ms: %@ (%.2f ms)", medians[10_000]! < 50 ? "met" : "MISSED", medians[10_000]!))
    print(String(format: "100k/10k ratio target < 10: %@ (%.2f)", ratio < 10 ? "met" : "MISSED", ratio))
}

func benchStartup() {
    let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("runbook").path
    guard FileManager.default.isExecutableFile(atPath: exe) else {
        print("startup: skipped, no runbook binary at \(exe); build it first (swift build -c release)")
        return
    }
    let runs = 50
    var times: [Double] = []
    for _ in 0..<runs {
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(exe), strdup("--version"), nil]
        let t0 = now()
        let rc = posix_spawn(&pid, exe, &actions, nil, argv, environ)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        times.append((now() - t0) * 1000)
        posix_spawn_file_actions_destroy(&actions)
        argv.forEach { free($0) }
        precondition(rc == 0, "posix_spawn failed: \(rc)")
    }
    print(String(format: "startup: runbook --version median %.2f ms, min %.2f ms over %d runs (target < 20 ms: %@)",
                 median(times), times.min()!, runs, median(times) < 20 ? "met" : "MISSED"))
}

let what = CommandLine.arguments.dropFirst().first ?? "all"
switch what {
case "parse": benchParse()
case "startup": benchStartup()
case "all": benchParse(); print(""); benchStartup()
default:
    print("usage: runbook-bench [parse|startup|all]")
    exit(2)
}
