import CSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How to start one step's process.
struct StepLaunch: Sendable {
    /// Absolute path of the interpreter.
    var executable: String
    /// argv, argv[0] included.
    var arguments: [String]
    var environment: [String: String]
    var directory: String?
    /// Run under a pseudo-terminal (for psql, sudo, pagers); needs the runner on a terminal.
    var interactive: Bool
    /// Seconds before SIGTERM to the group, or nil.
    var timeout: Double?
    /// Seconds between SIGTERM and SIGKILL.
    var killGrace: Double
}

/// What happened to a step's process.
struct StepOutcome: Sendable {
    var pid: Int32 = 0
    var starttime: UInt64?
    var exitCode: Int32?
    var signal: Int32?
    var timedOut = false
    /// The operator pressed Ctrl-C while it ran.
    var interrupted = false
    /// TERM, HUP or QUIT received by the runner while the step ran.
    var runnerSignal: Int32?
    var signalsSent: [String] = []
    var leftovers: [Leftover] = []
    /// Stopped by SIGTTIN/SIGTTOU: it tried to use the terminal without `interactive`.
    var stoppedOnTerminal = false
    var durationMs = 0
}

/// A step could not be started.
struct SpawnError: Error, CustomStringConvertible, Sendable {
    let message: String
    var description: String { message }
}

/// Runs one step's process: its own process group (or session, under a pty), output
/// streamed as it comes, timeout with TERM then KILL to the whole group, Ctrl-C
/// forwarded to the group, leftovers killed and recorded when the leader exits.
final class StepProcess {
    /// How long to keep reading output after the leader exits and leftovers are killed.
    static let drainSeconds = 2.0
    /// Grace between TERM and KILL for leftovers.
    static let leftoverGrace = 1.0

    private let launch: StepLaunch
    private let signals: any SignalSource
    private let clock: any RunClock
    /// The operator's terminal, for an interactive step: put in raw mode, its keys forwarded to the step.
    private let keyboard: Int32?
    /// Holds the output pipe's read end should the runner die (see `OutputKeeper`).
    private let keeper: OutputKeeper?
    private let output: (UnsafeRawBufferPointer) -> Void
    /// A line for the operator's screen only (what a Ctrl-C did); never part of the step's output.
    private let notice: (String) -> Void
    private let tick: (Double) -> Void

    private var pid: Int32 = 0
    private var outcome = StepOutcome()
    private var leaderStatus: Int32?
    private var leaderExitAt: Double?
    private var interruptCount = 0
    private var ptyMaster: Int32 = -1
    /// What the step left running, once its leader exited (or the runner gave up waiting).
    private var sweep: LeftoverSweep?

    init(
        _ launch: StepLaunch, signals: any SignalSource, clock: any RunClock, keyboard: Int32?, keeper: OutputKeeper? = nil,
        output: @escaping (UnsafeRawBufferPointer) -> Void, notice: @escaping (String) -> Void = { _ in },
        tick: @escaping (Double) -> Void
    ) {
        self.launch = launch
        self.signals = signals
        self.clock = clock
        self.keyboard = keyboard.flatMap { isatty($0) == 1 ? $0 : nil }
        self.keeper = keeper
        self.output = output
        self.notice = notice
        self.tick = tick
    }

    /// Starts the process, calls `onSpawn` with its pid, and waits for it and its output.
    func run(onSpawn: (Int32, UInt64?) throws -> Void) throws -> StepOutcome {
        var master: Int32 = -1
        var readFD: Int32 = -1
        var savedTerminal: termios?
        let start = monotonicNow()
        let recordedStart = clock.monotonic()

        if launch.interactive {
            var slave: Int32 = -1
            var name = [CChar](repeating: 0, count: 128)
            let rc = rb_openpty(&master, &slave, &name, name.count, 0)
            guard rc == 0 else { throw SpawnError(message: "cannot open a pseudo-terminal: \(errnoText(rc).lowercased())") }
            let ttyPath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            try spawn(tty: ttyPath, inFD: -1, outFD: -1)
            close(slave)
            readFD = master
            ptyMaster = master
            if let keyboard { savedTerminal = Terminal.makeRaw(keyboard) }
        } else {
            var fds: [Int32] = [0, 0]
            guard makePipe(&fds) else { throw SpawnError(message: "cannot create a pipe: \(errnoText(errno).lowercased())") }
            let devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)
            defer {
                close(devnull)
                close(fds[1])
            }
            do { try spawn(tty: nil, inFD: devnull, outFD: fds[1]) } catch {
                close(fds[0])
                throw error
            }
            readFD = fds[0]
            _ = fcntl(readFD, F_SETFL, fcntl(readFD, F_GETFL) | O_NONBLOCK)
            keeper?.hold(readFD)
        }
        defer {
            if let savedTerminal, let keyboard { Terminal.restore(keyboard, savedTerminal) }
            if !launch.interactive { keeper?.release() }
            close(readFD)
        }
        outcome.pid = pid
        outcome.starttime = ProcessTable.entry(pid)?.starttime
        do {
            try onSpawn(pid, outcome.starttime)
        } catch {
            // The record of the spawn failed: stop the step at once.
            sendGroup(SIGKILL)
            waitForLeader()
            throw error
        }
        loop(readFD: readFD, start: start)
        outcome.durationMs = Int((clock.monotonic() - recordedStart) * 1000)
        if let status = leaderStatus {
            if rb_wifexited(status) != 0 {
                outcome.exitCode = rb_wexitstatus(status)
            } else if rb_wifsignaled(status) != 0 {
                outcome.signal = rb_wtermsig(status)
            }
        }
        return outcome
    }

    private func spawn(tty: String?, inFD: Int32, outFD: Int32) throws {
        let argv = launch.arguments.map { strdup($0) } + [nil]
        let envp = launch.environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        let rc: Int32 = argv.withUnsafeBufferPointer { a in
            envp.withUnsafeBufferPointer { e in
                (launch.directory ?? "").withCString { dir in
                    (tty ?? "").withCString { ttyPath in
                        rb_spawn(
                            &pid, launch.executable, a.baseAddress, e.baseAddress,
                            launch.directory == nil ? nil : dir, inFD, outFD, outFD,
                            tty == nil ? nil : ttyPath, 1)
                    }
                }
            }
        }
        guard rc == 0 else {
            throw SpawnError(message: "cannot start '\(launch.executable)': \(errnoText(rc).lowercased())")
        }
    }

    private func sendGroup(_ signal: Int32) {
        guard pid > 0 else { return }
        if kill(-pid, signal) != 0 { _ = kill(pid, signal) }
        if !outcome.signalsSent.contains(signalName(signal)) || signal == SIGINT {
            outcome.signalsSent.append(signalName(signal))
        }
    }

    /// Reaps every exited child: the leader's status is kept; orphans re-parented to us are just reaped.
    private func reap() {
        while true {
            var status: Int32 = 0
            let child = waitpid(-1, &status, WNOHANG | WUNTRACED)
            if child <= 0 { return }
            if child == pid {
                if rb_wifstopped(status) != 0 {
                    let sig = rb_wstopsig(status)
                    if sig == SIGTTIN || sig == SIGTTOU {
                        outcome.stoppedOnTerminal = true
                        sendGroup(SIGKILL)
                        _ = kill(-pid, SIGCONT)
                    }
                    continue
                }
                leaderStatus = status
                leaderExitAt = monotonicNow()
            }
        }
    }

    private func waitForLeader() {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        leaderStatus = status
    }

    /// Timers of one step's wait loop.
    private struct LoopState {
        var eof = false
        var termSentAt: Double?
        var killSent = false
        var leftoversChecked = false
        var leftoverTermAt: Double?
        /// The leftovers are gone: none were found, all exited after TERM, or they were KILLed.
        var leftoversDone = false
        var lastTick: Double
    }

    private func loop(readFD: Int32, start: Double) {
        var state = LoopState(lastTick: start)
        var buffer = [UInt8](unsafeUninitializedCapacity: 65536) { _, count in count = 65536 }
        let forwardKeys = launch.interactive ? keyboard : nil

        while true {
            let now = monotonicNow()
            if leaderStatus == nil {
                enforceTimeout(now: now, start: start, state: &state)
            } else if endAfterLeader(now: now, state: &state) {
                break
            }
            if now - state.lastTick >= 1.0 {
                state.lastTick = now
                tick(now - start)
            }
            var pollFDs: [pollfd] = [pollfd(fd: signals.readFD, events: Int16(POLLIN), revents: 0)]
            if !state.eof { pollFDs.append(pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)) }
            if let forwardKeys { pollFDs.append(pollfd(fd: forwardKeys, events: Int16(POLLIN), revents: 0)) }
            let ms = Int32(max(0, min(waitSeconds(now: now, start: start, state: state), 1.0)) * 1000) + 1
            let ready = poll(&pollFDs, nfds_t(pollFDs.count), ms)
            if ready < 0 && errno != EINTR { break }

            for entry in pollFDs where entry.revents != 0 {
                if entry.fd == signals.readFD {
                    for sig in signals.drain() {
                        handle(signal: sig, termSentAt: &state.termSentAt)
                        // A resized window: the status line follows at once, not at the next tick.
                        if sig == SIGWINCH { tick(now - start) }
                    }
                } else if entry.fd == readFD {
                    if readOutput(readFD, &buffer) { state.eof = true }
                } else if entry.fd == forwardKeys {
                    forwardKeystrokes(from: entry.fd, to: readFD, &buffer)
                }
            }
            reap()
        }
        // Anything of the step still alive (an orphan that kept the pipe open and ignored TERM,
        // a descendant in a session of its own) is killed and recorded.
        if leaderStatus == nil {
            sendGroup(SIGKILL)
            waitForLeader()
        }
        if kill(-pid, 0) == 0 { _ = kill(-pid, SIGKILL) }
        if hasDescendants() {
            var last = sweep ?? LeftoverSweep(group: pid)
            last.killAll()
            sweep = last
        }
        reap()
        outcome.leftovers = sweep?.found ?? []
    }

    /// The timeout: TERM to the group when it passes, KILL after the grace.
    private func enforceTimeout(now: Double, start: Double, state: inout LoopState) {
        if let timeout = launch.timeout, !outcome.timedOut, now - start >= timeout {
            outcome.timedOut = true
            sendGroup(SIGTERM)
            state.termSentAt = now
        }
        if let t = state.termSentAt, !state.killSent, now - t >= launch.killGrace {
            sendGroup(SIGKILL)
            state.killSent = true
        }
    }

    /// After the leader exited: leftovers (the whole tree of what the step started, see
    /// `LeftoverSweep`) get TERM, then KILL after a grace; returns true when the wait is over (the
    /// output closed and the leftovers are gone, or the drain time passed).
    private func endAfterLeader(now: Double, state: inout LoopState) -> Bool {
        if !state.leftoversChecked {
            state.leftoversChecked = true
            if hasDescendants() {
                var found = LeftoverSweep(group: pid)
                if found.signal(SIGTERM) > 0 { state.leftoverTermAt = now }
                sweep = found
            }
            state.leftoversDone = state.leftoverTermAt == nil
        }
        if let t = state.leftoverTermAt, !state.leftoversDone, var current = sweep {
            if current.alive().isEmpty {
                state.leftoversDone = true
            } else if now - t >= Self.leftoverGrace {
                current.killAll()
                state.leftoversDone = true
            }
            sweep = current
        }
        if state.eof && state.leftoversDone { return true }
        if let exitAt = leaderExitAt, now - exitAt >= Self.drainSeconds + (state.leftoverTermAt == nil ? 0 : Self.leftoverGrace) {
            return true
        }
        return false
    }

    /// How long the next poll may wait: until the next tick, timeout or kill, or briefly once the leader exited.
    private func waitSeconds(now: Double, start: Double, state: LoopState) -> Double {
        var seconds = 1.0 - (now - state.lastTick)
        if leaderStatus == nil {
            if let timeout = launch.timeout, !outcome.timedOut { seconds = min(seconds, timeout - (now - start)) }
            if let t = state.termSentAt, !state.killSent { seconds = min(seconds, launch.killGrace - (now - t)) }
        } else {
            seconds = min(seconds, 0.1)
        }
        return seconds
    }

    /// Reads what is there now and passes it on; returns true at the end of output (EIO on a pty
    /// master means the terminal side closed).
    private func readOutput(_ readFD: Int32, _ buffer: inout [UInt8]) -> Bool {
        while true {
            let n = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            if n > 0 {
                buffer.withUnsafeBytes { output(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                if launch.interactive { return false }
                continue
            }
            return n == 0 || (errno != EAGAIN && errno != EINTR)
        }
    }

    /// Keystrokes go to the step only and are never recorded. (What the pty echoes back is the
    /// step's output: password prompts turn echo off.)
    private func forwardKeystrokes(from keyboard: Int32, to master: Int32, _ buffer: inout [UInt8]) {
        let n = buffer.withUnsafeMutableBytes { read(keyboard, $0.baseAddress, $0.count) }
        guard n > 0 else { return }
        buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < n {
                guard let base = bytes.baseAddress else { return }
                let w = write(master, base + offset, n - offset)
                if w <= 0 { return }
                offset += w
            }
        }
    }

    private func handle(signal sig: Int32, termSentAt: inout Double?) {
        switch sig {
        case SIGCHLD:
            reap()
        case SIGINT:
            guard leaderStatus == nil else { return }
            outcome.interrupted = true
            interruptCount += 1
            // First Ctrl-C: INT to the group; second: TERM; third: KILL. The screen says which, and what comes next.
            let sent = interruptCount == 1 ? SIGINT : interruptCount == 2 ? SIGTERM : SIGKILL
            sendGroup(sent)
            let next = interruptCount == 1 ? "Ctrl-C again sends TERM" : interruptCount == 2 ? "Ctrl-C again sends KILL" : "nothing stronger"
            notice(" Ctrl-C: sent \(signalName(sent)) to the step; \(next)")
        case SIGHUP:
            // The operator's terminal is gone (an SSH drop): let the step finish, start nothing after it.
            if outcome.runnerSignal == nil { outcome.runnerSignal = sig }
        case SIGTERM, SIGQUIT:
            outcome.runnerSignal = sig
            guard leaderStatus == nil else { return }
            if termSentAt == nil {
                sendGroup(SIGTERM)
                termSentAt = monotonicNow()
            }
        case SIGWINCH:
            // The pty follows the operator's window size.
            if launch.interactive && ptyMaster >= 0, let keyboard { rb_copy_winsize(keyboard, ptyMaster) }
        default:
            break
        }
    }

    /// Whether anything of the step may still be alive: its group, or any child of ours (orphans are
    /// re-parented to the runner, a subreaper).
    private func hasDescendants() -> Bool {
        if kill(-pid, 0) == 0 { return true }
        var status: Int32 = 0
        let r = waitpid(-1, &status, WNOHANG)
        if r > 0 { return true }
        return r == 0
    }
}
