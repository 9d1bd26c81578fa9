import CSupport
#if canImport(Glibc)
import Glibc
#endif

/// Where answers come from.
public enum AnswerSource: Sendable {
    /// One key press on a terminal.
    case terminal
    /// One answer per line from standard input (not a terminal).
    case lines
}

/// What the operator answered.
public enum Answer: Equatable {
    /// A key (or a line's first word) and the rest of the line, if any.
    case key(Character, String)
    /// End of input: the run pauses.
    case endOfInput
    /// A signal arrived while waiting (INT, TERM, HUP).
    case signal(Int32)
}

/// The operator's side of a run: what is printed and how answers are read.
///
/// Everything the runner prints goes to standard output; answers come from
/// standard input, a key at a time on a terminal or a line at a time otherwise.
public final class Console {
    public let source: AnswerSource
    public let style: Style
    public let stdoutIsTerminal: Bool
    let signals: SignalPipe
    private var pending: [UInt8] = []
    private var inputClosed = false

    public init(source: AnswerSource, style: Style, stdoutIsTerminal: Bool, signals: SignalPipe) {
        self.source = source
        self.style = style
        self.stdoutIsTerminal = stdoutIsTerminal
        self.signals = signals
    }

    /// Writes text to standard output.
    public func print(_ text: String) {
        var text = text
        text.withUTF8 { writeAll(1, UnsafeRawBufferPointer($0)) }
    }

    /// Writes raw bytes (a step's output) to standard output.
    public func write(_ bytes: UnsafeRawBufferPointer) { writeAll(1, bytes) }

    /// Asks for one of `keys`; on a terminal a single key press, otherwise a line whose first
    /// character (or word: `run`, `skip …`) picks the key. Unknown answers are refused and asked again.
    public func ask(_ prompt: String, keys: [Character], help: String) -> Answer {
        while true {
            print(prompt)
            let answer: Answer
            switch source {
            case .terminal: answer = readKey()
            case .lines: answer = readAnswerLine()
            }
            guard case .key(let key, let rest) = answer else {
                print("\n")
                return answer
            }
            if source == .terminal { print(key == "\r" || key == "\n" ? "\n" : "\(key)\n") }
            if key == "?" {
                print(help + "\n")
                continue
            }
            if keys.contains(key) { return .key(key, rest) }
            print(style.yellow("'\(key)' is not an answer here; press ? for help") + "\n")
        }
    }

    /// Reads a line of text (a reason, a note, a param value). `secret` turns echo off on a terminal.
    public func readText(_ prompt: String, secret: Bool = false) -> Answer {
        print(prompt)
        var saved: termios?
        if source == .terminal && secret { saved = Terminal.noEcho(0) }
        defer {
            if let saved {
                Terminal.restore(0, saved)
                print("\n")
            }
        }
        switch readLine() {
        case .key(_, let line): return .key(" ", line)
        case let other: return other
        }
    }

    private func readKey() -> Answer {
        guard let saved = Terminal.makeRaw(0) else { return readAnswerLine() }
        defer { Terminal.restore(0, saved) }
        while true {
            switch waitReadable() {
            case .signal(let s): return .signal(s)
            case .endOfInput: return .endOfInput
            case .key: break
            }
            var buffer = [UInt8](repeating: 0, count: 16)
            let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n == 0 { return .endOfInput }
            if n < 0 { if errno == EINTR || errno == EAGAIN { continue }; return .endOfInput }
            let byte = buffer[0]
            if byte == 0x03 { return .signal(SIGINT) }
            if byte == 0x04 { return .endOfInput }
            if byte == 0x1B { continue }   // escape sequences (arrows) are not answers
            return .key(Character(UnicodeScalar(byte)), "")
        }
    }

    private func readAnswerLine() -> Answer {
        switch readLine() {
        case .key(_, let line):
            let trimmed = line.trimmingSpaces()
            guard let first = trimmed.first else { return .key("\n", "") }
            // "skip not needed" → ("s", "not needed"); "r" → ("r", "")
            let word = trimmed.prefix { $0 != " " && $0 != "\t" }
            let rest = String(trimmed.dropFirst(word.count)).trimmingSpaces()
            return .key(Character(first.lowercased()), rest)
        case let other:
            return other
        }
    }

    /// Reads up to a newline from standard input, waiting for signals at the same time.
    private func readLine() -> Answer {
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                var line = Array(pending[..<newline])
                pending.removeFirst(newline + 1)
                if line.last == 0x0D { line.removeLast() }
                return .key(" ", String(decoding: line, as: UTF8.self))
            }
            if inputClosed {
                if pending.isEmpty { return .endOfInput }
                let line = String(decoding: pending, as: UTF8.self)
                pending.removeAll()
                return .key(" ", line)
            }
            switch waitReadable() {
            case .signal(let s): return .signal(s)
            case .endOfInput: inputClosed = true; continue
            case .key: break
            }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n > 0 {
                pending.append(contentsOf: buffer[0..<n])
            } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                inputClosed = true
            }
        }
    }

    /// Waits until standard input is readable or a signal arrives (SIGCHLD and SIGWINCH are ignored here).
    private func waitReadable() -> Answer {
        while true {
            var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: signals.readFD, events: Int16(POLLIN), revents: 0)]
            let r = poll(&fds, 2, -1)
            if r < 0 {
                if errno == EINTR { continue }
                return .endOfInput
            }
            if fds[1].revents != 0 {
                for sig in signals.drain() where sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT {
                    return .signal(sig)
                }
            }
            if fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR | POLLNVAL) != 0 { return .key(" ", "") }
        }
    }
}

/// A status line on the terminal's bottom row while a step runs, kept out of the step's
/// output with a scroll region.
final class StatusLine {
    private let rows: Int32
    private let cols: Int32
    private let console: Console
    private var active = false

    init?(console: Console) {
        guard console.stdoutIsTerminal && console.style.enabled else { return nil }
        rows = rb_terminal_rows(1)
        cols = rb_terminal_cols(1)
        guard rows >= 5, cols >= 20 else { return nil }
        self.console = console
    }

    func begin(_ text: String) {
        // Make room, confine scrolling to rows 1…rows-1, keep the cursor inside.
        console.print("\n\u{1B}[1A\u{1B}7\u{1B}[1;\(rows - 1)r\u{1B}8")
        active = true
        update(text)
    }

    func update(_ text: String) {
        guard active else { return }
        let clipped = String(text.prefix(Int(cols) - 1))
        console.print("\u{1B}7\u{1B}[\(rows);1H\u{1B}[2K\u{1B}[7m\(clipped)\u{1B}[0m\u{1B}8")
    }

    func end() {
        guard active else { return }
        active = false
        console.print("\u{1B}7\u{1B}[\(rows);1H\u{1B}[2K\u{1B}[r\u{1B}8")
    }
}

/// Writes all of `bytes` to `fd`, retrying short writes.
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress else { return }
    var offset = 0
    while offset < bytes.count {
        let n = Glibc.write(fd, base + offset, bytes.count - offset)
        if n < 0 {
            if errno == EINTR || errno == EAGAIN { continue }
            return
        }
        offset += n
    }
}
