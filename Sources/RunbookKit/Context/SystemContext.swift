import CSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension RunbookContext {
    /// The real world: standard input, output and error, the system clocks, the login name, the
    /// host name, this process's environment, and the state directory from `--state-dir` or the
    /// environment.
    ///
    /// `signals` is the process's signal pipe (it installs the handlers; create it once).
    public static func system(signals: any SignalSource, stateDirectory explicit: String?) throws(StorageError) -> RunbookContext {
        let environment = processEnvironment()
        let state = try StateDirectory.resolve(explicit: explicit, environment: environment)
        let terminal = TerminalInfo(
            inputIsTerminal: isatty(0) == 1, outputIsTerminal: isatty(1) == 1,
            style: .forDescriptor(1, environment: environment),
            size: {
                let rows = rb_terminal_rows(1)
                let cols = rb_terminal_cols(1)
                return rows > 0 && cols > 0 ? (rows, cols) : nil
            }, errorWidth: standardErrorWidth)
        return RunbookContext(
            output: DescriptorOutput(fd: 1), errorOutput: DescriptorOutput(fd: 2), input: DescriptorInput(fd: 0),
            terminal: terminal, signals: signals, clock: SystemClock(), runIds: RandomRunIds(clock: SystemClock()),
            user: loginName(environment), host: hostName(), pid: getpid(), bootId: systemBootId(),
            environment: environment, stateDirectory: state)
    }
}

/// The widest line an error may take on standard error: its terminal's width less one column
/// (so the cursor never wraps by itself); nil when standard error is not a terminal.
@Sendable public func standardErrorWidth() -> Int? {
    guard isatty(2) == 1 else { return nil }
    let cols = rb_terminal_cols(2)
    return cols > 0 ? Int(cols) - 1 : nil
}

/// Writes to a file descriptor; a failed write is dropped (the screen going away must not stop a
/// run that is still recording).
public struct DescriptorOutput: OutputSink {
    /// The descriptor written to.
    public let fd: Int32

    /// Output to `fd`.
    public init(fd: Int32) { self.fd = fd }

    /// Writes all of `bytes`, retrying short writes.
    public func write(_ bytes: UnsafeRawBufferPointer) { writeAllIgnoringErrors(fd, bytes) }
}

/// Reads from a file descriptor, waiting with `poll` together with the signal pipe.
public struct DescriptorInput: InputSource {
    /// The descriptor read from.
    public let fd: Int32

    /// Input from `fd`.
    public init(fd: Int32) { self.fd = fd }

    /// The descriptor.
    public var descriptor: Int32? { fd }

    /// Waits until `fd` is readable or a stopping signal arrives (SIGCHLD and SIGWINCH are dropped here).
    public func wait(signals: any SignalSource) -> InputEvent {
        while true {
            var fds = [
                pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                pollfd(fd: signals.readFD, events: Int16(POLLIN), revents: 0),
            ]
            let r = poll(&fds, 2, -1)
            if r < 0 {
                if errno == EINTR { continue }
                return .closed
            }
            if fds[1].revents != 0 {
                for sig in signals.drain() where sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT {
                    return .signal(sig)
                }
            }
            if fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR | POLLNVAL) != 0 { return .readable }
        }
    }

    /// Reads what is there (EINTR and EAGAIN read as nothing yet: -2).
    public func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return -2 }
        return n
    }
}

/// The system's clocks.
public struct SystemClock: RunClock {
    /// The system clock.
    public init() {}

    /// `gettimeofday`.
    public func now() -> WallTime {
        var tv = timeval()
        gettimeofday(&tv, nil)
        return WallTime(seconds: Int(tv.tv_sec), microseconds: Int(tv.tv_usec))
    }

    /// `CLOCK_MONOTONIC`.
    public func monotonic() -> Double { monotonicNow() }
}

/// Run ids made of the UTC start time and 4 random bytes: `20261126T093000Z-1a2b3c4d`.
public struct RandomRunIds: RunIdSource {
    let clock: any RunClock

    /// Run ids stamped with `clock`'s time.
    public init(clock: any RunClock) { self.clock = clock }

    /// A new id.
    public func next() -> String {
        let random = (0..<4).map { _ in UInt8.random(in: 0...255) }
        return runId(at: clock.now(), suffix: hexString(random))
    }
}

/// `YYYYMMDDTHHMMSSZ-<suffix>` for a moment.
public func runId(at time: WallTime, suffix: String) -> String {
    var seconds = time_t(time.seconds)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    return String(
        format: "%04d%02d%02dT%02d%02d%02dZ-", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
        parts.tm_hour, parts.tm_min, parts.tm_sec) + suffix
}

/// The process environment as a dictionary.
public func processEnvironment() -> [String: String] {
    var result: [String: String] = [:]
    var pointer = environ
    while let entry = pointer.pointee {
        let pair = String(cString: entry)
        if let eq = pair.firstIndex(of: "=") {
            result[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        pointer += 1
    }
    return result
}

/// `$USER`, else `$LOGNAME`, else the password entry's name, else the uid.
func loginName(_ environment: [String: String]) -> String {
    if let user = environment["USER"] ?? environment["LOGNAME"], !user.isEmpty { return user }
    if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
    return String(getuid())
}

/// `gethostname`.
func hostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    gethostname(&buffer, buffer.count)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// This boot's id, from /proc.
func systemBootId() -> String? {
    (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?.trimmingSpaces()
}
