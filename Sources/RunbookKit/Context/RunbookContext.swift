/// Everything a command reads from or writes to the world outside the engine, in one value.
///
/// The engine never calls the clock, reads standard input, writes standard output, asks the
/// system for the user or host name, or reads the process environment by itself: it asks its
/// context. `RunbookContext.system(…)` (in `SystemContext.swift`) is the real world; unit tests
/// build one from scripted parts, so a run can be replayed and its journal compared byte for byte.
public struct RunbookContext: Sendable {
    /// Where the operator's screen output goes (standard output).
    public var output: any OutputSink
    /// Where error lines go (standard error).
    public var errorOutput: any OutputSink
    /// Where answers come from (standard input).
    public var input: any InputSource
    /// What the operator's terminal is, if there is one.
    public var terminal: TerminalInfo
    /// Signals delivered to the runner (INT, TERM, HUP, QUIT, CHLD, WINCH), as a readable descriptor.
    public var signals: any SignalSource
    /// The time of day (journal timestamps) and the monotonic time (durations).
    public var clock: any RunClock
    /// Makes the id of each new run.
    public var runIds: any RunIdSource
    /// Who runs it, as recorded in the journal and the lock.
    public var user: String
    /// The machine it runs on, as recorded.
    public var host: String
    /// The runner's own process id, as recorded.
    public var pid: Int32
    /// This boot's id (Linux `boot_id`), to tell a recorded pid from the same pid after a reboot.
    public var bootId: String?
    /// The environment steps inherit.
    public var environment: [String: String]
    /// Where runs and locks are kept.
    public var stateDirectory: StateDirectory

    /// Builds a context from its parts.
    public init(
        output: any OutputSink, errorOutput: any OutputSink, input: any InputSource, terminal: TerminalInfo,
        signals: any SignalSource, clock: any RunClock, runIds: any RunIdSource, user: String, host: String,
        pid: Int32, bootId: String?, environment: [String: String], stateDirectory: StateDirectory
    ) {
        self.output = output
        self.errorOutput = errorOutput
        self.input = input
        self.terminal = terminal
        self.signals = signals
        self.clock = clock
        self.runIds = runIds
        self.user = user
        self.host = host
        self.pid = pid
        self.bootId = bootId
        self.environment = environment
        self.stateDirectory = stateDirectory
    }

    /// Writes `runbook: error: <text>` and a newline to the error output; on a terminal, broken
    /// between words to fit its width (`messageLines`).
    public func error(_ text: String) {
        errorOutput.write(messageLines("runbook: error: ", text, width: terminal.errorWidth()))
    }
}

/// A byte stream the engine writes to (the screen, standard error, a test's buffer).
public protocol OutputSink: Sendable {
    /// Writes all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer)
}

extension OutputSink {
    /// Writes `text` as UTF-8.
    public func write(_ text: String) {
        var text = text
        text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }
}

/// What waiting for input can end with.
public enum InputEvent: Equatable, Sendable {
    /// Bytes can be read.
    case readable
    /// A signal arrived first.
    case signal(Int32)
    /// The input is closed or failed.
    case closed
}

/// A byte stream the operator's answers come from.
public protocol InputSource: Sendable {
    /// The descriptor behind it when it is a real one (for terminal modes and forwarding keys to an
    /// interactive step); nil for a scripted one.
    var descriptor: Int32? { get }
    /// Waits until input can be read or one of INT, TERM, HUP, QUIT arrives on `signals`.
    func wait(signals: any SignalSource) -> InputEvent
    /// Reads what is there into `buffer`: the count, 0 at the end of input, -1 on an error, -2 when
    /// interrupted before anything was read (try again).
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int
}

/// Signals delivered to the runner, turned into bytes on a descriptor so one `poll` can wait for
/// output, input, timeouts and signals together.
public protocol SignalSource: Sendable {
    /// Readable when a signal has arrived.
    var readFD: Int32 { get }
    /// The signals received since the last call, in order.
    func drain() -> [Int32]
}

/// The operator's terminal as the engine sees it.
public struct TerminalInfo: Sendable {
    /// Standard input is a terminal: prompts read one key at a time.
    public var inputIsTerminal: Bool
    /// Standard output is a terminal: a status line may be drawn.
    public var outputIsTerminal: Bool
    /// Colours and bold for the screen.
    public var style: Style
    /// The window's rows and columns now, nil when unknown.
    public var size: @Sendable () -> (rows: Int32, cols: Int32)?
    /// The widest line an error or warning may take when standard error is a terminal (its width
    /// less one column); nil when it is not one.
    public var errorWidth: @Sendable () -> Int?

    /// Describes a terminal.
    public init(
        inputIsTerminal: Bool, outputIsTerminal: Bool, style: Style, size: @escaping @Sendable () -> (rows: Int32, cols: Int32)?,
        errorWidth: @escaping @Sendable () -> Int? = { nil }
    ) {
        self.inputIsTerminal = inputIsTerminal
        self.outputIsTerminal = outputIsTerminal
        self.style = style
        self.size = size
        self.errorWidth = errorWidth
    }

    /// Both ends are terminals: interactive steps can run.
    public var isInteractive: Bool { inputIsTerminal && outputIsTerminal }
}

/// The clocks a run reads.
public protocol RunClock: Sendable {
    /// The time of day, for journal timestamps.
    func now() -> WallTime
    /// Seconds on a clock that never goes back, for durations and timeouts.
    func monotonic() -> Double
}

/// Makes run ids.
public protocol RunIdSource: Sendable {
    /// A new, unique run id (`20261126T093000Z-1a2b3c4d`).
    func next() -> String
}
