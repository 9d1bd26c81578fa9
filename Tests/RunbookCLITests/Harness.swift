import CSupport
import Foundation
import RunbookKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The built `runbook` binary, next to the test bundle.
let runbookBinary: String = {
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    return exe.appendingPathComponent("runbook").path
}()

/// What a finished process left.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
    /// Peak resident memory of the process in KiB: its VmHWM, sampled while it runs. (wait4's
    /// ru_maxrss would include the test process's own size, inherited through posix_spawn's vfork.)
    var maxRSSKiB: Int
    var seconds: Double
}

/// A temporary folder for one test, removed at the end.
final class Sandbox {
    let root: String
    var state: String { root + "/state" }

    init() {
        var template = Array("\(NSTemporaryDirectory())/runbook-test-XXXXXX".utf8CString)
        root = String(cString: mkdtemp(&template)!)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Writes a file under the sandbox and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let path = root + "/" + name
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    /// Writes an executable script under the sandbox and returns its path. It is opened
    /// close-on-exec: a process another test starts at that moment must not inherit the write
    /// descriptor, which would make running the script fail with ETXTBSY ("text file busy") for
    /// as long as that process lives (an editor or shell script that silently never ran).
    @discardableResult
    func writeExecutable(_ name: String, _ text: String) -> String {
        let path = root + "/" + name
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        precondition(fd >= 0, "cannot create \(path): errno \(errno)")
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        precondition(written == bytes.count, "cannot write \(path): errno \(errno)")
        close(fd)
        return path
    }

    /// The run folders under the state directory, oldest first: by when each run started (its
    /// `run_start` time, to the millisecond), not by name — two runs started in the same second
    /// have ids whose random part orders them by chance.
    func runDirs() -> [String] {
        let runs = state + "/runs"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: runs)) ?? []
        func started(_ dir: String) -> String {
            guard let text = try? String(contentsOfFile: dir + "/journal.jsonl", encoding: .utf8),
                let first = text.split(separator: "\n").first,
                let range = first.range(of: "\"ts\":\"")
            else { return "" }
            return String(first[range.upperBound...].prefix(24))
        }
        let dirs: [(path: String, started: String)] = names.filter { !$0.hasPrefix(".") }.map { (runs + "/" + $0, started(runs + "/" + $0)) }
        let ordered = dirs.sorted { (a, b) -> Bool in a.started != b.started ? a.started < b.started : a.path < b.path }
        return ordered.map(\.path)
    }

    /// The records of the only (or last) run's journal.
    func journal() throws -> [JournalRecord] {
        let dir = try #require(runDirs().last, "no run folder under \(state)")
        let result = try JournalVerifier.verify(path: dir + "/journal.jsonl")
        #expect(result.problem == nil, "journal does not verify: \(result.problem ?? "")")
        return result.records
    }

    /// Every byte of every file under the state directory, to search for leaks.
    func allStateBytes() -> [UInt8] {
        var out: [UInt8] = []
        guard let walker = FileManager.default.enumerator(atPath: state) else { return out }
        for case let relative as String in walker {
            let path = state + "/" + relative
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
                let data = FileManager.default.contents(atPath: path)
            {
                out.append(contentsOf: data)
            }
        }
        return out
    }
}

/// Whether `needle` occurs in `haystack`.
func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
    let n = Array(needle.utf8)
    guard !n.isEmpty, haystack.count >= n.count else { return false }
    return haystack.withUnsafeBytes { h in n.withUnsafeBytes { p in rb_memmem(h.baseAddress, h.count, p.baseAddress, p.count) != nil } }
}

/// Runs the binary with `arguments`, `stdin` bytes (or /dev/null when nil), and an environment
/// built from a minimal base plus `env`. Kills it after `timeout` seconds.
func runbook(
    _ arguments: [String], stdin: String? = nil, env: [String: String] = [:], cwd: String? = nil,
    timeout: Double = 60
) -> ProcessResult {
    spawnAndWait([runbookBinary] + arguments, stdin: stdin, environment: runbookEnvironment(env), cwd: cwd, timeout: timeout)
}

/// The environment `runbook(_:)` gives the binary: a minimal base plus `env`.
func runbookEnvironment(_ env: [String: String]) -> [String: String] {
    var environment: [String: String] = [
        "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/tmp",
        "USER": "tester", "NO_COLOR": "1", "LANG": "C.UTF-8",
    ]
    for (k, v) in env { environment[k] = v }
    return environment
}

/// A `runbook …` command the tool suggested, pasted into a shell (`sh -c`) with the environment
/// `runbook(_:)` gives plus `env`, the built binary first on PATH.
func pasted(_ command: String, stdin: String? = nil, env: [String: String] = [:], timeout: Double = 60) -> ProcessResult {
    precondition(command.hasPrefix("runbook "), "not a runbook command: \(command)")
    var environment = runbookEnvironment(env)
    environment["PATH"] = (runbookBinary as NSString).deletingLastPathComponent + ":" + (environment["PATH"] ?? "")
    return spawnAndWait(["/bin/sh", "-c", command], stdin: stdin, environment: environment, cwd: nil, timeout: timeout)
}

func spawnAndWait(_ argv: [String], stdin: String?, environment: [String: String], cwd: String?, timeout: Double) -> ProcessResult {
    var inPipe: [Int32] = [0, 0]
    var outPipe: [Int32] = [0, 0]
    var errPipe: [Int32] = [0, 0]
    precondition(pipe(&inPipe) == 0 && pipe(&outPipe) == 0 && pipe(&errPipe) == 0)
    for fd in inPipe + outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    let cArgs = argv.map { strdup($0) } + [nil]
    let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        for pointer in cArgs { free(pointer) }
        for pointer in cEnv { free(pointer) }
    }
    var pid: pid_t = 0
    let start = monotonicNow()
    let rc = cArgs.withUnsafeBufferPointer { a in
        cEnv.withUnsafeBufferPointer { e in
            (cwd ?? "").withCString { d in
                rb_spawn(&pid, argv[0], a.baseAddress, e.baseAddress, cwd == nil ? nil : d, inPipe[0], outPipe[1], errPipe[1], nil, 1)
            }
        }
    }
    precondition(rc == 0, "spawn \(argv[0]) failed: \(rc)")
    close(inPipe[0])
    close(outPipe[1])
    close(errPipe[1])
    if let stdin {
        let bytes = Array(stdin.utf8)
        _ = bytes.withUnsafeBytes { write(inPipe[1], $0.baseAddress, $0.count) }
    }
    close(inPipe[1])
    var out = [UInt8]()
    var err = [UInt8]()
    var open = [outPipe[0], errPipe[0]]
    var buffer = [UInt8](repeating: 0, count: 65536)
    var peak = 0
    func sample() {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kib = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return }
        peak = max(peak, kib)
    }
    while !open.isEmpty {
        sample()
        let remaining = timeout - (monotonicNow() - start)
        if remaining <= 0 {
            _ = kill(-pid, SIGKILL)
            break
        }
        var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        _ = poll(&fds, nfds_t(fds.count), Int32(min(remaining, 1) * 1000))
        for entry in fds where entry.revents != 0 {
            let n = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
            if n > 0 {
                if entry.fd == outPipe[0] { out.append(contentsOf: buffer[0..<n]) } else { err.append(contentsOf: buffer[0..<n]) }
            } else {
                open.removeAll { $0 == entry.fd }
            }
        }
    }
    close(outPipe[0])
    close(errPipe[0])
    // Sample until the process is a zombie (its VmHWM stays readable until then).
    var status: Int32 = 0
    var usage = rusage()
    while true {
        sample()
        let r = wait4(pid, &status, WNOHANG, &usage)
        if r == pid { break }
        if r < 0 && errno != EINTR { break }
        usleep(20_000)
    }
    let code = rb_wifexited(status) != 0 ? rb_wexitstatus(status) : 128 + rb_wtermsig(status)
    return ProcessResult(
        status: code, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self),
        maxRSSKiB: peak, seconds: monotonicNow() - start)
}

/// A terminal window's size.
struct WindowSize {
    var cols: Int
    var rows: Int
}

/// The binary running on a pseudo-terminal, driven like an operator would: read the screen, press keys.
final class TerminalSession {
    let pid: pid_t
    private let master: Int32
    private(set) var transcript = [UInt8]()
    private var exitStatus: Int32?
    /// The window size it started with, when one was set.
    let size: WindowSize?
    /// Each resize: where in the transcript it happened, and the new size.
    private(set) var resizes: [(offset: Int, size: WindowSize)] = []

    init(_ arguments: [String], env: [String: String] = [:], cwd: String? = nil, size: WindowSize? = nil) {
        var environment: [String: String] = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/tmp",
            "USER": "tester", "TERM": "xterm", "LANG": "C.UTF-8",
        ]
        for (k, v) in env { environment[k] = v }
        var m: Int32 = -1
        var s: Int32 = -1
        var name = [CChar](repeating: 0, count: 128)
        precondition(rb_openpty(&m, &s, &name, name.count, -1) == 0)
        master = m
        self.size = size
        if let size { Self.setSize(m, size) }
        let argv = [runbookBinary] + arguments
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in cArgs { free(pointer) }
            for pointer in cEnv { free(pointer) }
        }
        var child: pid_t = 0
        let rc = cArgs.withUnsafeBufferPointer { a in
            cEnv.withUnsafeBufferPointer { e in
                (cwd ?? "").withCString { d in
                    rb_spawn(&child, argv[0], a.baseAddress, e.baseAddress, cwd == nil ? nil : d, -1, -1, -1, name, 1)
                }
            }
        }
        precondition(rc == 0)
        close(s)
        pid = child
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        if exitStatus == nil {
            _ = kill(pid, SIGKILL)
            var st: Int32 = 0
            waitpid(pid, &st, 0)
        }
        close(master)
    }

    var text: String { String(decoding: transcript, as: UTF8.self) }

    private static func setSize(_ fd: Int32, _ size: WindowSize) {
        var ws = winsize(ws_row: UInt16(size.rows), ws_col: UInt16(size.cols), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(fd, UInt(TIOCSWINSZ), &ws)
    }

    /// Resizes the window as a terminal emulator does (TIOCSWINSZ, which signals the foreground
    /// group, and SIGWINCH to the runner), noting where in the transcript it happened.
    func resize(_ size: WindowSize) {
        pump(0.05)
        resizes.append((transcript.count, size))
        Self.setSize(master, size)
        _ = kill(pid, SIGWINCH)
    }

    /// What the screen shows now, rendered by pyte at the sizes the window had, resized where it was.
    func screen() throws -> [String] {
        let start = size ?? WindowSize(cols: 120, rows: 40)
        return try renderedScreen(transcript, cols: start.cols, rows: start.rows, resizes: resizes)
    }

    private func pump(_ seconds: Double) {
        var fds = [pollfd(fd: master, events: Int16(POLLIN), revents: 0)]
        _ = poll(&fds, 1, Int32(seconds * 1000))
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            transcript.append(contentsOf: buffer[0..<n])
        }
    }

    /// Waits until the screen output (from `after` on) contains `needle`; false on timeout.
    @discardableResult
    func waitFor(_ needle: String, timeout: Double = 20) -> Bool {
        let start = monotonicNow()
        while monotonicNow() - start < timeout {
            if text.contains(needle) { return true }
            pump(0.05)
        }
        return text.contains(needle)
    }

    /// Counts occurrences of `needle` in the output so far.
    func count(_ needle: String) -> Int { text.components(separatedBy: needle).count - 1 }

    func waitForCount(_ needle: String, _ n: Int, timeout: Double = 20) -> Bool {
        let start = monotonicNow()
        while monotonicNow() - start < timeout {
            if count(needle) >= n { return true }
            pump(0.05)
        }
        return count(needle) >= n
    }

    func send(_ keys: String) {
        let bytes = Array(keys.utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// Waits for the process to exit and returns its exit code (128+signal when killed).
    func wait(timeout: Double = 30) -> Int32? {
        if let exitStatus { return exitStatus }
        let start = monotonicNow()
        while monotonicNow() - start < timeout {
            pump(0.05)
            var status: Int32 = 0
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid {
                pump(0.05)
                exitStatus = rb_wifexited(status) != 0 ? rb_wexitstatus(status) : 128 + rb_wtermsig(status)
                return exitStatus
            }
        }
        return nil
    }
}

/// Processes whose command line contains `marker` (to check nothing was left running).
func processes(matching marker: String) -> [Int32] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    var out: [Int32] = []
    for name in names {
        guard let pid = Int32(name), let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") else { continue }
        let cmdline = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        if cmdline.contains(marker) && !cmdline.contains("runbook") { out.append(pid) }
    }
    return out
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Double = 10, _ condition: () -> Bool) -> Bool {
    let start = monotonicNow()
    while monotonicNow() - start < timeout {
        if condition() { return true }
        usleep(50_000)
    }
    return condition()
}
