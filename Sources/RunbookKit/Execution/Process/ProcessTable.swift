import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One process as seen in /proc.
struct ProcessEntry {
    var pid: Int32
    var ppid: Int32
    var pgrp: Int32
    var session: Int32
    var command: String
    var starttime: UInt64
    /// The state letter (R, S, D, Z, T, …).
    var state: Character
}

/// Reads /proc (Linux) to find a step's leftover processes and identify processes across reboots.
enum ProcessTable {
    /// Every process readable in /proc.
    static func all() -> [ProcessEntry] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var out: [ProcessEntry] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let pid = Int32(name), let process = Self.entry(pid) else { continue }
            out.append(process)
        }
        return out
    }

    /// The /proc/<pid>/stat entry of one process.
    static func entry(_ pid: Int32) -> ProcessEntry? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self)
        guard let openParen = text.firstIndex(of: "("), let closeParen = text.lastIndex(of: ")") else { return nil }
        let command = String(text[text.index(after: openParen)..<closeParen])
        let fields = text[text.index(after: closeParen)...].split(separator: " ")
        // fields[0] is state (field 3); ppid is field 4, pgrp 5, session 6, starttime 22.
        guard fields.count > 19, let ppid = Int32(fields[1]), let pgrp = Int32(fields[2]), let session = Int32(fields[3]),
            let start = UInt64(fields[19])
        else { return nil }
        return ProcessEntry(
            pid: pid, ppid: ppid, pgrp: pgrp, session: session, command: command, starttime: start,
            state: fields[0].first ?? "?")
    }
}

/// Whether a recorded process is still alive, from /proc: same pid, same start time, same boot,
/// and not a zombie.
public struct SystemProcessLiveness: ProcessLiveness {
    /// The machine's own process table.
    public init() {}

    /// Whether `pid` started at `starttime` on boot `bootId` is still running.
    public func isRunning(pid: Int32, starttime: UInt64, bootId: String?) -> Bool {
        if let bootId, let now = systemBootId(), bootId != now { return false }
        guard let entry = ProcessTable.entry(pid), entry.state != "Z", entry.state != "X" else { return false }
        return entry.starttime == starttime
    }
}

/// Signal names as recorded in the journal (`TERM`, `KILL`, …).
public func signalName(_ signal: Int32) -> String {
    switch signal {
    case SIGHUP: return "HUP"
    case SIGINT: return "INT"
    case SIGQUIT: return "QUIT"
    case SIGILL: return "ILL"
    case SIGTRAP: return "TRAP"
    case SIGABRT: return "ABRT"
    case SIGBUS: return "BUS"
    case SIGFPE: return "FPE"
    case SIGKILL: return "KILL"
    case SIGUSR1: return "USR1"
    case SIGSEGV: return "SEGV"
    case SIGUSR2: return "USR2"
    case SIGPIPE: return "PIPE"
    case SIGALRM: return "ALRM"
    case SIGTERM: return "TERM"
    case SIGCHLD: return "CHLD"
    case SIGCONT: return "CONT"
    case SIGSTOP: return "STOP"
    case SIGTSTP: return "TSTP"
    case SIGTTIN: return "TTIN"
    case SIGTTOU: return "TTOU"
    case SIGXCPU: return "XCPU"
    case SIGXFSZ: return "XFSZ"
    case SIGSYS: return "SYS"
    default: return "SIG\(signal)"
    }
}
