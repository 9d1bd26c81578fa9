import CSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Starts a step's process and waits for it; the session's only way to run code, so tests can
/// replace processes with scripted ones.
protocol StepLauncher {
    /// Runs `launch`: calls `onSpawn` with the pid and start time once the process exists, passes
    /// every chunk of output to `output` as it comes, calls `tick` about once a second with the
    /// seconds so far, and returns what happened.
    func run(
        _ launch: StepLaunch, output: @escaping (UnsafeRawBufferPointer) -> Void, tick: @escaping (Double) -> Void,
        onSpawn: (Int32, UInt64?) throws -> Void
    ) throws -> StepOutcome
}

/// Real processes: each step in its own process group (or session, under a pty).
struct ProcessStepLauncher: StepLauncher {
    let context: RunbookContext
    /// Keeps a step's output pipe open if the runner dies; started here, before any run makes the
    /// runner a subreaper.
    let keeper: OutputKeeper?

    init(context: RunbookContext) {
        self.context = context
        keeper = OutputKeeper()
    }

    func run(
        _ launch: StepLaunch, output: @escaping (UnsafeRawBufferPointer) -> Void, tick: @escaping (Double) -> Void,
        onSpawn: (Int32, UInt64?) throws -> Void
    ) throws -> StepOutcome {
        let keyboard = context.terminal.inputIsTerminal ? context.input.descriptor : nil
        let process = StepProcess(
            launch, signals: context.signals, clock: context.clock, keyboard: keyboard, keeper: keeper, output: output,
            notice: { [context] text in context.output.write(context.terminal.style.yellow(text) + "\n") }, tick: tick)
        return try process.run(onSpawn: onSpawn)
    }
}

/// Runs a program in the runner's own process group on the operator's terminal and waits (the
/// editor, the operator's shell). Returns its wait status, or -1 when it could not start.
func runForeground(_ executable: String, _ arguments: [String], env: [String: String], dir: String?, signals: any SignalSource) -> Int32 {
    let argv = arguments.map { strdup($0) } + [nil]
    let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        for pointer in argv { free(pointer) }
        for pointer in envp { free(pointer) }
    }
    var pid: pid_t = 0
    let rc = argv.withUnsafeBufferPointer { a in
        envp.withUnsafeBufferPointer { e in
            (dir ?? "").withCString { d in
                rb_spawn(&pid, executable, a.baseAddress, e.baseAddress, dir == nil ? nil : d, 0, 1, 2, nil, 0)
            }
        }
    }
    guard rc == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    _ = signals.drain()
    return status
}
