import CSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Where answers come from.
enum AnswerSource: Sendable {
    /// One key press on a terminal.
    case terminal
    /// One answer per line from standard input (not a terminal).
    case lines
}

/// What the operator answered.
enum Answer: Equatable {
    /// A key (or a line's first word) and the rest of the line, if any.
    case key(Character, String)
    /// End of input: the run pauses.
    case endOfInput
    /// A signal arrived while waiting (INT, TERM, HUP).
    case signal(Int32)
}

/// The operator's side of a run: what is printed and how answers are read.
///
/// Everything the runner prints goes to the context's output; answers come from its input, a
/// key at a time on a terminal or a line at a time otherwise.
final class Console {
    let source: AnswerSource
    let style: Style
    let terminal: TerminalInfo
    let signals: any SignalSource
    private let output: any OutputSink
    private let input: any InputSource
    private var pending: [UInt8] = []
    private var inputClosed = false
    /// Runs before every wait for an answer (the session makes its journal durable there).
    var beforeWaiting: () -> Void = {}

    init(context: RunbookContext) {
        source = context.terminal.inputIsTerminal && context.input.descriptor != nil ? .terminal : .lines
        style = context.terminal.style
        terminal = context.terminal
        signals = context.signals
        output = context.output
        input = context.input
    }

    /// Writes text to the screen.
    func print(_ text: String) { output.write(text) }

    /// A runner killed while a step ran (SIGKILL) leaves its scroll region set and its status line
    /// on the bottom row: before anything else is printed, the whole window scrolls again and the
    /// bottom row is cleared (the cursor stays where it is). Only where a status line may be drawn:
    /// nothing is written when the output is not a terminal, under `NO_COLOR` or with `TERM=dumb`.
    func restoreScreen() {
        guard terminal.outputIsTerminal, style.enabled, let size = terminal.size() else { return }
        print("\u{1B}7\u{1B}[1;\(size.rows)r\u{1B}8\u{1B}7\u{1B}[\(size.rows);1H\u{1B}[2K\u{1B}8")
    }

    /// Writes raw bytes (a step's output) to the screen.
    func write(_ bytes: UnsafeRawBufferPointer) { output.write(bytes) }

    /// Asks for one of `keys`; on a terminal a single key press, otherwise a line whose first
    /// character (or word: `run`, `skip …`) picks the key. Unknown answers are refused and asked again.
    func ask(_ prompt: String, keys: [Character], help: String) -> Answer {
        while true {
            print(prompt)
            let answer: Answer
            switch source {
            case .terminal: answer = readKey()
            case .lines: answer = readAnswerLine()
            }
            guard case .key(let typed, let rest) = answer else {
                print(answer == .endOfInput ? "\n" + style.dim("end of input: the run pauses") + "\n" : "\n")
                return answer
            }
            if source == .terminal { print(typed == "\r" || typed == "\n" ? "\n" : "\(typed)\n") }
            // `R` is `r`: caps lock at 3 a.m. is not a wrong answer.
            let key = Character(typed.lowercased())
            if key == "?" {
                print(help + "\n")
                continue
            }
            if keys.contains(key) { return .key(key, rest) }
            // Enter (or an empty line) is a reflex, not a key: name it, never print a bare CR.
            let shown = key == "\r" || key == "\n" ? "Enter" : key == " " ? "Space" : "'\(key)'"
            print(style.yellow("\(shown) is not an answer here: press one of the keys in [ ]; ? for help") + "\n")
        }
    }

    /// Reads a line of text (a reason, a note, a param value). `secret` turns echo off on a terminal.
    /// `notice`, when given, is printed first (why the last answer was refused).
    func readText(_ prompt: String, secret: Bool = false, notice: String? = nil) -> Answer {
        var saved: termios?
        let fd = input.descriptor ?? -1
        // Echo goes off before anything shows, so nothing typed after the prompt (or the notice) is echoed.
        if source == .terminal && secret { saved = Terminal.noEcho(fd) }
        if let notice { print(notice) }
        print(prompt)
        defer {
            if let saved {
                Terminal.restore(fd, saved)
                print("\n")
            }
        }
        switch readLine() {
        case .key(_, let line): return .key(" ", line)
        case let other: return other
        }
    }

    private func readKey() -> Answer {
        beforeWaiting()
        let fd = input.descriptor ?? -1
        guard let saved = Terminal.makeRaw(fd) else { return readAnswerLine() }
        defer { Terminal.restore(fd, saved) }
        while true {
            switch waitReadable() {
            case .signal(let s): return .signal(s)
            case .endOfInput: return .endOfInput
            case .key: break
            }
            var buffer = [UInt8](repeating: 0, count: 16)
            let n = buffer.withUnsafeMutableBytes { input.read(into: $0) }
            if n == -2 { continue }
            if n <= 0 { return .endOfInput }
            let byte = buffer[0]
            if byte == 0x03 { return .signal(SIGINT) }
            if byte == 0x04 { return .endOfInput }
            if byte == 0x1B { continue }  // escape sequences (arrows) are not answers
            // Other control keys (Ctrl-Z, Ctrl-L, …) are not answers either: ignored, not refused.
            if byte < 0x20 && byte != 0x0D && byte != 0x0A { continue }
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
        beforeWaiting()
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
            case .endOfInput:
                inputClosed = true
                continue
            case .key: break
            }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = buffer.withUnsafeMutableBytes { input.read(into: $0) }
            if n > 0 {
                pending.append(contentsOf: buffer[0..<n])
            } else if n != -2 {
                inputClosed = true
            }
        }
    }

    /// Waits until input is readable or a stopping signal arrives.
    private func waitReadable() -> Answer {
        switch input.wait(signals: signals) {
        case .readable: return .key(" ", "")
        case .signal(let s): return .signal(s)
        case .closed: return .endOfInput
        }
    }

    /// `words` joined by spaces in lines that fit the terminal's width (one line when the output is
    /// not a terminal); the first line starts with `first`, the others with `indent`.
    func wrapped(_ words: [String], indent: String = "", first: String = "") -> [String] {
        guard let width = wrapWidth else { return [first + words.joined(separator: " ")] }
        return wrapWords(words, width: width, first: first, indent: indent)
    }

    /// The widest line text broken between words may take (the window's width less one column,
    /// so the cursor never wraps by itself); nil when the output is not a terminal or its width is
    /// unknown or under 20 columns: then a line is not broken.
    var wrapWidth: Int? {
        guard terminal.outputIsTerminal, let width = terminal.size().map({ Int($0.cols) }), width >= 20 else { return nil }
        return width - 1
    }
}
