// `runbook-bench run`: per-step overhead of `runbook run --yes` against plain bash running the
// same steps one process each, and the runner's peak memory as the number of steps grows.
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

private func benchClock() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Spawns argv with stdout/stderr to /dev/null and waits; returns (seconds, peak RSS KiB, exit code).
func spawnTimed(_ argv: [String], env: [String]? = nil) -> (Double, Int, Int32) {
    let start = benchClock()
    let pid = spawnQuiet(argv, env: env)
    // Peak memory is the child's own VmHWM, sampled until it exits: wait4's ru_maxrss would include
    // this process's size, inherited through posix_spawn's vfork.
    var status: Int32 = 0
    var peak = 0
    var seconds = 0.0
    while true {
        if let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kib = Int(line.split(separator: " ").dropFirst().first ?? "")
        {
            peak = max(peak, kib)
        }
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid {
            seconds = benchClock() - start
            break
        }
        if r < 0 && errno != EINTR {
            seconds = benchClock() - start
            break
        }
        usleep(2_000)
    }
    return (seconds, peak, (status >> 8) & 0xFF)
}

/// Starts argv with its input and output on /dev/null, in this process's environment unless `env`
/// is given; returns its pid.
private func spawnQuiet(_ argv: [String], env: [String]? = nil) -> pid_t {
    var pid: pid_t = 0
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let cArgs = argv.map { strdup($0) } + [nil]
    let cEnv = (env ?? ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }).map { strdup($0) } + [nil]
    defer {
        posix_spawn_file_actions_destroy(&actions)
        for pointer in cArgs { free(pointer) }
        for pointer in cEnv { free(pointer) }
    }
    let rc = posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv)
    precondition(rc == 0, "cannot start \(argv[0]): \(rc)")
    return pid
}

/// Spawns argv with its output to /dev/null and blocks until it exits, without sampling its memory
/// (reading the child's status 500 times a second took CPU from the run being timed, on a machine
/// of two cores); returns (wall seconds, CPU seconds of it and every child it waited for, exit code).
private func spawnTimedCPU(_ argv: [String]) -> (wall: Double, cpu: Double, code: Int32) {
    let start = benchClock()
    let pid = spawnQuiet(argv)
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let wall = benchClock() - start
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return (wall, seconds(usage.ru_utime) + seconds(usage.ru_stime), (status >> 8) & 0xFF)
}

/// The machine's CPU time so far from /proc/stat's first line, in clock ticks: (all, steal). Steal
/// is the time a virtual machine's CPUs were ready but the host ran something else; nil where
/// there is no /proc/stat.
private func cpuTicks() -> (all: Int, steal: Int)? {
    guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8), let line = text.split(separator: "\n").first else { return nil }
    let fields = line.split(separator: " ").dropFirst().compactMap { Int($0) }
    guard fields.count >= 8 else { return nil }
    return (fields.prefix(8).reduce(0, +), fields[7])
}

/// What one `fdatasync` of a journal-sized append costs on the disk under `dir`, in ms (200 of them).
private func fdatasyncCost(dir: String) -> Double {
    let fd = open(dir + "/sync-probe", O_WRONLY | O_CREAT | O_APPEND, 0o600)
    defer { close(fd) }
    let line = Array("{\"probe\":\"a journal-sized record of about one hundred and fifty bytes, written and synced\"}\n".utf8)
    let start = benchClock()
    for _ in 0..<200 {
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fdatasync(fd)
    }
    return (benchClock() - start) / 200 * 1000
}

private func stepsRunbook(_ count: Int) -> String {
    var out = "# Benchmark\n\n"
    for i in 0..<count {
        out += "```bash {id=s-\(i)}\necho \"step \(i)\"\n```\n\n"
    }
    return out
}

/// `memoryOnly` (`runbook-bench run memory`): only the runner's peak memory as the steps grow.
func benchRun(memoryOnly: Bool = false) {
    let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("runbook").path
    guard FileManager.default.isExecutableFile(atPath: exe) else {
        print("run: skipped, no runbook binary at \(exe); build it first (swift build -c release --static-swift-stdlib)")
        return
    }
    guard let bash = ["/usr/bin/bash", "/bin/bash"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        print("run: skipped, no bash")
        return
    }
    let dir = NSTemporaryDirectory() + "runbook-run-bench-\(getpid())"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    if memoryOnly { return benchRunMemory(exe: exe, dir: dir) }

    let perSync = fdatasyncCost(dir: dir)
    print(String(format: "fdatasync of one small append on this disk: %.3f ms", perSync))

    let steps = 1000
    let file = dir + "/steps-\(steps).md"
    _ = FileManager.default.createFile(atPath: file, contents: Data(stepsRunbook(steps).utf8))
    // Baseline, as the peers benchmark kit has it: one bash script that runs each step's code with
    // its own `bash -c`, one after another (the floor for one process a step).
    let baseline = dir + "/bash-per-step.sh"
    let script = (0..<steps).map { "bash -c 'echo \"step \($0)\"'\n" }.joined()
    _ = FileManager.default.createFile(atPath: baseline, contents: Data(script.utf8))
    // Interleaved rounds (bash, runbook, bash, runbook, ...): the machine's noise hits both alike,
    // and the overhead is taken round by round.
    let rounds = 11
    var bashTimes: [Double] = []
    var runTimes: [Double] = []
    var overheads: [Double] = []
    var cpuOverheads: [Double] = []
    let ticksBefore = cpuTicks()
    for round in 0..<rounds {
        let bashRound = spawnTimedCPU([bash, baseline])
        precondition(bashRound.code == 0, "the bash baseline exited \(bashRound.code)")
        let run = spawnTimedCPU([exe, "run", "--yes", "--state-dir", dir + "/state-\(round)", file])
        precondition(run.code == 0, "runbook run exited \(run.code)")
        bashTimes.append(bashRound.wall)
        runTimes.append(run.wall)
        overheads.append((run.wall - bashRound.wall) / Double(steps) * 1000)
        cpuOverheads.append((run.cpu - bashRound.cpu) / Double(steps) * 1000)
    }
    let ticksAfter = cpuTicks()
    func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
    let bashTotal = median(bashTimes)
    let runTotal = median(runTimes)
    let overhead = median(overheads)
    print(
        String(
            format: "%d steps, %d interleaved rounds: bash -c per step %.0f ms (%.2f ms/step), runbook run --yes %.0f ms (%.2f ms/step)",
            steps, rounds, bashTotal * 1000, bashTotal * 1000 / Double(steps), runTotal * 1000, runTotal * 1000 / Double(steps)))
    print(
        String(
            format: "overhead above bash -c per step: median %.2f ms, min %.2f ms, max %.2f ms (target <= 0.5 ms: %@)",
            overhead, overheads.min() ?? .nan, overheads.max() ?? .nan, overhead <= 0.5 ? "met" : "MISSED"))
    print(
        String(
            format: "CPU above bash -c per step (the runner's own, with its steps' processes): median %.2f ms, min %.2f ms, max %.2f ms",
            median(cpuOverheads), cpuOverheads.min() ?? .nan, cpuOverheads.max() ?? .nan))
    if let before = ticksBefore, let after = ticksAfter, after.all > before.all {
        let steal = Double(after.steal - before.steal) / Double(after.all - before.all) * 100
        print(
            String(
                format: "  the host took %.1f%% of this machine's CPU time during the rounds (steal)%@", steal,
                steal > 3 ? ": the timings above are the host's as much as ours; take them again on a quieter machine" : ""))
    }
    print(
        String(
            format: "  a step with at most 2 KiB of output costs the runner 1 journal fdatasync (about %.2f ms here); longer output 1 more, of output.log",
            perSync))
    benchRehearsal(exe: exe, file: file, steps: steps, dir: dir, bashPerStep: bashTotal / Double(steps))
    benchRunMemory(exe: exe, dir: dir)
}

/// `run --dry-run --yes` of the same steps, as CI runs rehearsals: each bash step is checked by a
/// `bash -n` of its own and recorded in the rehearsal's journal, so it costs about a process a step.
private func benchRehearsal(exe: String, file: String, steps: Int, dir: String, bashPerStep: Double) {
    var times: [Double] = []
    for round in 0..<5 {
        let rehearsal = spawnTimedCPU([exe, "run", "--dry-run", "--yes", "--state-dir", dir + "/rehearsal-\(round)", file])
        precondition(rehearsal.code == 0, "runbook run --dry-run exited \(rehearsal.code)")
        times.append(rehearsal.wall)
    }
    let median = times.sorted()[times.count / 2]
    print(
        String(
            format: "rehearsal (run --dry-run --yes) of the same %d steps, 5 rounds: median %.0f ms (%.2f ms a step; bash -c per step above: %.2f ms)",
            steps, median * 1000, median * 1000 / Double(steps), bashPerStep * 1000))
}

/// The runner's peak memory for runbooks of more and more steps, beside `runbook check` of the
/// same file (the parsed runbook alone): the difference is what the runner keeps on top, and
/// the growth from one size to the next, per step, is what each step costs. The state folder is
/// on /dev/shm when there is one: memory does not depend on the disk, and the 30,000 steps then
/// take seconds, not minutes, on a slow disk. The 100,000 steps show where the 32 MiB target stops
/// holding (they run for about three minutes).
private func benchRunMemory(exe: String, dir: String) {
    let shm = "/dev/shm/runbook-run-bench-\(getpid())"
    let stateRoot = (try? FileManager.default.createDirectory(atPath: shm, withIntermediateDirectories: true)) != nil ? shm : dir
    defer { if stateRoot == shm { try? FileManager.default.removeItem(atPath: shm) } }
    var rows: [(steps: Int, run: Int, check: Int)] = []
    for count in [100, 1000, 3000, 10_000, 30_000, 100_000] {
        let path = dir + "/mem-\(count).md"
        _ = FileManager.default.createFile(atPath: path, contents: Data(stepsRunbook(count).utf8))
        let state = stateRoot + "/mem-state-\(count)"
        let (peak, code) = peakMemory([exe, "run", "--yes", "--state-dir", state, path], scratch: dir)
        precondition(code == 0, "runbook run exited \(code)")
        try? FileManager.default.removeItem(atPath: state)
        let (checkPeak, checkCode) = peakMemory([exe, "check", path], scratch: dir)
        precondition(checkCode == 0, "runbook check exited \(checkCode)")
        rows.append((count, peak, checkPeak))
    }
    print("runner peak RSS (state folder in \(stateRoot == shm ? "/dev/shm" : dir)), beside runbook check of the same file:")
    var previous: (steps: Int, run: Int, check: Int)?
    for row in rows {
        var line = String(
            format: "  %6d steps: run %5.1f MiB, check %5.1f MiB, the runner's own %4.1f MiB (target <= 32 MiB: %@)", row.steps,
            Double(row.run) / 1024, Double(row.check) / 1024, Double(row.run - row.check) / 1024, row.run <= 32 * 1024 ? "met" : "MISSED")
        if let previous {
            let steps = Double(row.steps - previous.steps)
            line += String(
                format: "; since %d steps: %+.1f MiB, %.0f bytes a step (check %.0f)", previous.steps, Double(row.run - previous.run) / 1024,
                Double(row.run - previous.run) * 1024 / steps, Double(row.check - previous.check) * 1024 / steps)
        }
        print(line)
        previous = row
    }
    guard let first = rows.first, let last = rows.last else { return }
    let steps = Double(last.steps - first.steps)
    print(
        String(
            format: "growth from %d to %d steps: run %.1f MiB (%.0f bytes a step), check %.1f MiB (%.0f bytes a step)", first.steps, last.steps,
            Double(last.run - first.run) / 1024, Double(last.run - first.run) * 1024 / steps, Double(last.check - first.check) / 1024,
            Double(last.check - first.check) * 1024 / steps))
}

/// The peak RSS (KiB) and exit code of argv. Through GNU time when it is there: a process as short
/// as `runbook check` of a small file ends between two samples of its VmHWM, and time's own
/// child is forked from a small process (the benchmark's is vforked from this one, so the
/// kernel's maximum would count this process's size).
private func peakMemory(_ argv: [String], scratch: String) -> (Int, Int32) {
    let time = "/usr/bin/time"
    guard FileManager.default.isExecutableFile(atPath: time) else {
        let (_, peak, code) = spawnTimed(argv)
        return (peak, code)
    }
    let out = scratch + "/peak-rss"
    let (_, _, code) = spawnTimed([time, "-f", "%M", "-o", out] + argv)
    let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
    // The last line is the figure (a line before it says when the command failed).
    let kib = text.split(separator: "\n").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
    return (kib, code)
}

/// `runbook-bench peers`: the shared peers benchmark kit (`../shared/peers-bench`, or
/// `$PEERS_BENCH`) timing this build's `runbook` against `bash -c` per step and the peer tools
/// it installed under `/tmp/peers`, in interleaved rounds; its tables go to standard output.
func benchPeers(_ extra: [String]) {
    let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("runbook").path
    let kit = ProcessInfo.processInfo.environment["PEERS_BENCH"] ?? "../shared/peers-bench"
    guard FileManager.default.fileExists(atPath: kit + "/bench.py") else {
        print("peers: skipped, no benchmark kit at \(kit); set PEERS_BENCH to its folder")
        return
    }
    guard FileManager.default.fileExists(atPath: "/tmp/peers/venv"), FileManager.default.fileExists(atPath: "/tmp/peers/books") else {
        print("peers: skipped, the peers are not installed; run: bash \(kit)/setup.sh && python3 \(kit)/gen_runbooks.py")
        return
    }
    let out = NSTemporaryDirectory() + "runbook-peers-\(getpid())"
    try? FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    // Without arguments: the step counts and binary output (5 rounds), then one step printing
    // 20 MB and 200 MB (3 rounds, added to the same runs), so one run prints every table.
    let rounds =
        extra.isEmpty
        ? [
            [
                "--reps", "5", "--cases", "steps10,steps100,steps1000,binary", "--peers",
                "bash-per-step,bash-single,runbook,paulrun,markdown-exec,audited-runbook,cram",
            ],
            ["--reps", "3", "--cases", "big20,big", "--peers", "bash-per-step,runbook,paulrun,audited-runbook,cram", "--append"],
        ]
        : [extra]
    var environment = ProcessInfo.processInfo.environment
    environment["RUNBOOK_BIN"] = exe
    let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "python3"
    for arguments in rounds {
        let argv = [python, kit + "/bench.py"] + arguments + ["--out", out]
        print("peers: " + argv.joined(separator: " ") + "  (RUNBOOK_BIN=\(exe))")
        guard spawnAndWait(argv, environment: environment) else {
            print("peers: cannot start \(python)")
            return
        }
    }
    print("peers: raw runs in \(out)/runs.jsonl")
}

/// Runs `argv` (its first element a path) with `environment` and waits for it; false when it
/// cannot start.
private func spawnAndWait(_ argv: [String], environment: [String: String]) -> Bool {
    fflush(nil)  // what was printed comes before what the child prints
    var pid: pid_t = 0
    let cArgs = argv.map { strdup($0) } + [nil]
    let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        for pointer in cArgs { free(pointer) }
        for pointer in cEnv { free(pointer) }
    }
    guard posix_spawnp(&pid, argv[0], nil, nil, cArgs, cEnv) == 0 else { return false }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    return true
}
