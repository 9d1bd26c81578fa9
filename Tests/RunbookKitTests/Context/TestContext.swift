import Foundation
import Testing

@testable import RunbookKit

#if canImport(Glibc)
    import Glibc
#endif

/// A `RunbookContext` made of scripted parts: the operator's answers, a clock that moves only when
/// read, fixed run ids, user, host and pid, and a private state directory removed at the end.
/// Two runs with the same script produce byte-identical journals.
final class TestContext {
    let output = BufferOutput()
    let errorOutput = BufferOutput()
    let input: ScriptedInput
    let clock = SteppingClock()
    let state: String
    let context: RunbookContext

    /// A context whose operator types `answers` (one per line), with its own state directory.
    init(answers: [String], environment: [String: String] = ["PATH": "/usr/bin:/bin"], runId: String = "20261201T090000Z-0000beef") {
        // Inside the test's own folder when it has the `.temporaryStateDirectory` trait.
        let parent = TemporaryStateDirectory.current ?? NSTemporaryDirectory()
        var template = Array("\(parent)/state-XXXXXX".utf8CString)
        state = String(cString: mkdtemp(&template))
        input = ScriptedInput(answers.map { $0 + "\n" }.joined())
        let terminal = TerminalInfo(inputIsTerminal: false, outputIsTerminal: false, style: Style(enabled: false), size: { nil })
        context = RunbookContext(
            output: output, errorOutput: errorOutput, input: input, terminal: terminal, signals: QuietSignals(), clock: clock,
            runIds: FixedRunIds(id: runId), user: "oncall", host: "ops-1", pid: 4242, bootId: "test-boot",
            environment: environment, stateDirectory: StateDirectory(root: state))
    }

    deinit { try? FileManager.default.removeItem(atPath: state) }

    /// The bytes of the only run's journal.
    func journalBytes() throws -> [UInt8] {
        let runs = try FileManager.default.contentsOfDirectory(atPath: state + "/runs").filter { !$0.hasPrefix(".") }
        let run = try #require(runs.first, "no run under \(state)")
        return Array(try #require(FileManager.default.contents(atPath: "\(state)/runs/\(run)/journal.jsonl")))
    }

    /// The only run's journal, verified and decoded.
    func journal() throws -> [JournalRecord] {
        let verification = JournalVerifier.verify(bytes: try journalBytes())
        #expect(verification.problem == nil)
        return verification.records
    }

    /// What the operator saw.
    var screen: String { output.text }
}

/// Collects what is written.
final class BufferOutput: OutputSink, @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []

    func write(_ chunk: UnsafeRawBufferPointer) {
        lock.lock()
        bytes.append(contentsOf: chunk)
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The operator's answers, typed ahead; then the end of input.
final class ScriptedInput: InputSource, @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [UInt8]

    init(_ text: String) { pending = Array(text.utf8) }

    var descriptor: Int32? { nil }

    func wait(signals: any SignalSource) -> InputEvent {
        lock.lock()
        defer { lock.unlock() }
        return pending.isEmpty ? .closed : .readable
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        lock.lock()
        defer { lock.unlock() }
        let n = min(buffer.count, pending.count)
        for i in 0..<n { buffer[i] = pending[i] }
        pending.removeFirst(n)
        return n
    }
}

/// A signal source on which no signal ever arrives.
final class QuietSignals: SignalSource, @unchecked Sendable {
    let readFD: Int32
    private let writeFD: Int32

    init() {
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    func drain() -> [Int32] { [] }
}

/// A clock that starts at 2026-12-01T09:00:00Z and moves 1 ms each time the time of day is read
/// and 0.25 s each time the monotonic clock is read.
final class SteppingClock: RunClock, @unchecked Sendable {
    private let lock = NSLock()
    private var micros = 1_796_115_600 * 1_000_000
    private var mono = 1000.0

    func now() -> WallTime {
        lock.lock()
        defer { lock.unlock() }
        micros += 1000
        return WallTime(seconds: micros / 1_000_000, microseconds: micros % 1_000_000)
    }

    func monotonic() -> Double {
        lock.lock()
        defer { lock.unlock() }
        mono += 0.25
        return mono
    }
}

/// Always the same run id.
struct FixedRunIds: RunIdSource {
    let id: String
    func next() -> String { id }
}

/// Processes that are scripted: each launch prints `ran <key> (attempt N)` and exits with the next
/// code scripted for its key (0 when none is left). No process is started.
final class ScriptedLauncher: StepLauncher {
    private var exitCodes: [String: [Int32]]
    private(set) var launches: [StepLaunch] = []

    init(exitCodes: [String: [Int32]] = [:]) { self.exitCodes = exitCodes }

    func run(
        _ launch: StepLaunch, output: @escaping (UnsafeRawBufferPointer) -> Void, tick: @escaping (Double) -> Void,
        onSpawn: (Int32, UInt64?) throws -> Void
    ) throws -> StepOutcome {
        launches.append(launch)
        let key = launch.environment["RUNBOOK_STEP_KEY"] ?? "?"
        try onSpawn(5000 + Int32(launches.count), 77)
        let code = exitCodes[key]?.isEmpty == false ? exitCodes[key]!.removeFirst() : 0
        var text = "ran \(key) (launch \(launches.count))\n"
        text.withUTF8 { output(UnsafeRawBufferPointer($0)) }
        var outcome = StepOutcome()
        outcome.pid = 5000 + Int32(launches.count)
        outcome.exitCode = code
        outcome.durationMs = 250
        return outcome
    }
}

/// Processes recorded as alive or not, by pid.
struct ScriptedLiveness: ProcessLiveness {
    var running: Set<Int32> = []
    func isRunning(pid: Int32, starttime: UInt64, bootId: String?) -> Bool { running.contains(pid) }
}
