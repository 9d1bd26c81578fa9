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
        defer { close(fd) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1024) { buffer in
            let n = read(fd, buffer.baseAddress, buffer.count)
            guard n > 0 else { return nil }
            return parse(UnsafeBufferPointer(rebasing: buffer[0..<n]), pid: pid)
        }
    }

    /// One /proc/<pid>/stat line, `pid (command) state ppid pgrp session … starttime …`, read as
    /// bytes (the runner reads one for every step it starts, and every process's when it looks for
    /// leftovers). The command may hold spaces and parentheses: the fields are counted from the
    /// last `)`. Nil when a field read is missing or not a number.
    static func parse(_ line: UnsafeBufferPointer<UInt8>, pid: Int32) -> ProcessEntry? {
        guard let open = line.firstIndex(of: UInt8(ascii: "(")), let close = line.lastIndex(of: UInt8(ascii: ")")), open < close else {
            return nil
        }
        // After the command, from 0: state, ppid, pgrp, session, …, starttime (19; field 22 of proc(5)).
        var state: UInt8 = 0
        var ppid: UInt64?
        var pgrp: UInt64?
        var session: UInt64?
        var start: UInt64?
        var field = -1
        var index = close + 1
        while index < line.count && field < 19 {
            guard line[index] != UInt8(ascii: " ") else {
                index += 1
                continue
            }
            if line[index] == UInt8(ascii: "\n") { break }  // the line ends before the fields do
            field += 1
            let begin = index
            while index < line.count && line[index] != UInt8(ascii: " ") && line[index] != UInt8(ascii: "\n") { index += 1 }
            let text = UnsafeBufferPointer(rebasing: line[begin..<index])
            switch field {
            case 0: state = text[0]
            case 1: ppid = decimal(text)
            case 2: pgrp = decimal(text)
            case 3: session = decimal(text)
            case 19: start = decimal(text)
            default: break
            }
        }
        guard let ppid = ppid.flatMap(Int32.init(exactly:)), let pgrp = pgrp.flatMap(Int32.init(exactly:)),
            let session = session.flatMap(Int32.init(exactly:)), let start
        else { return nil }
        let command = String(decoding: UnsafeBufferPointer(rebasing: line[(open + 1)..<close]), as: UTF8.self)
        return ProcessEntry(
            pid: pid, ppid: ppid, pgrp: pgrp, session: session, command: command, starttime: start, state: Character(Unicode.Scalar(state)))
    }

    /// The unsigned decimal `digits` spell; nil for an empty field, any other byte, or an overflow.
    private static func decimal(_ digits: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard !digits.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !o1 && !o2 else { return nil }
            value = sum
        }
        return value
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
