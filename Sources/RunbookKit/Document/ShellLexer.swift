/// Reads shell text a line at a time, far enough to tell where a command ends and what quoting each
/// byte is in: quotes, comments, `\` and `|`/`&&`/`||` at a line's end, heredocs, and compound commands
/// (`if … fi`, `for … done`, `{ … }`, `( … )`) that are still open.
///
/// Not a shell parser: just what transcripts (is this command finished?) and placeholders (is this
/// `<` in quotes, a comment or a heredoc?) need.
struct ShellLexer {
    /// The quoting a byte is in.
    enum Context: Equatable {
        /// Unquoted code.
        case code
        /// Inside `'…'`; `openedAt` is the offset of the opening quote in this line, nil when it opened on an earlier line.
        case single(openedAt: Int?)
        /// Inside `"…"`; `openedAt` as for `single`.
        case double(openedAt: Int?)
        /// After an unquoted `#` that starts a word.
        case comment
        /// In a heredoc's body; `quoted` when its delimiter was quoted (no expansion).
        case heredoc(quoted: Bool)
    }

    private enum Quote { case none, single, double }
    private struct Heredoc {
        var delimiter: [UInt8]
        var stripTabs: Bool
        var quoted: Bool
    }
    /// What an open construct waits for: a `)` or a closing keyword.
    private enum Opener: Equatable {
        case paren
        case keyword(String)
    }

    private var quote = Quote.none
    private var pending: [Heredoc] = []
    private var body: Heredoc?
    private var open: [Opener] = []
    private var continued = false
    private var commandPosition = true

    /// Whether everything fed so far forms complete commands (the next line starts a new one).
    var isComplete: Bool { quote == .none && pending.isEmpty && body == nil && open.isEmpty && !continued }

    /// Whether the next line is inside a quoted string or a heredoc body, where a `$ ` is just text.
    var inQuoteOrHeredoc: Bool { quote != .none || body != nil || !pending.isEmpty }

    private static let closers: [String: String] = [
        "if": "fi", "case": "esac", "for": "done", "while": "done", "until": "done", "select": "done", "{": "}",
    ]
    /// Keywords after which the next word is a command again.
    private static let commandAgain: Set<String> = ["do", "then", "else", "elif", "!", "{", "if", "while", "until", "time"]

    /// Reads one line (without its LF), calling `visit` with each byte's offset and context.
    mutating func feed(_ line: ArraySlice<UInt8>, visit: (Int, Context) -> Void = { _, _ in }) {
        let bytes = Array(line)
        if let heredoc = body {
            if Self.endsHeredoc(bytes, heredoc) {
                body = pending.isEmpty ? nil : pending.removeFirst()
            } else {
                for i in bytes.indices { visit(i, .heredoc(quoted: heredoc.quoted)) }
            }
            return
        }
        if quote == .none && !continued { commandPosition = true }
        continued = false
        var afterOperator = false
        var quoteStart: Int? = nil
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch quote {
            case .single:
                visit(i, .single(openedAt: quoteStart))
                if b == UInt8(ascii: "'") { quote = .none }
                i += 1
                continue
            case .double:
                visit(i, .double(openedAt: quoteStart))
                if b == UInt8(ascii: "\\") && i + 1 < bytes.count {
                    visit(i + 1, .double(openedAt: quoteStart))
                    i += 2
                    continue
                }
                if b == UInt8(ascii: "\"") { quote = .none }
                i += 1
                continue
            case .none:
                break
            }
            if b == 0x20 || b == 0x09 {
                i += 1
                continue
            }
            if b == UInt8(ascii: "#") && (i == 0 || Self.startsWord(bytes[i - 1])) {
                for j in i..<bytes.count { visit(j, .comment) }
                break
            }
            afterOperator = false
            i = code(bytes, at: i, quoteStart: &quoteStart, afterOperator: &afterOperator, visit: visit)
        }
        if quote == .none && (afterOperator || Self.endsWithBackslash(bytes)) { continued = true }
        if body == nil && !pending.isEmpty { body = pending.removeFirst() }
    }

    /// Reads the unquoted token at `i` (an operator, a quote, a heredoc, a word); returns where the next starts.
    private mutating func code(
        _ bytes: [UInt8], at i: Int, quoteStart: inout Int?, afterOperator: inout Bool, visit: (Int, Context) -> Void
    ) -> Int {
        let b = bytes[i]
        visit(i, .code)
        switch b {
        case UInt8(ascii: "\\"):
            if i + 1 < bytes.count { visit(i + 1, .code) }
            commandPosition = false
            return i + 2
        case UInt8(ascii: "'"):
            quote = .single
            quoteStart = i
            commandPosition = false
            return i + 1
        case UInt8(ascii: "\""):
            quote = .double
            quoteStart = i
            commandPosition = false
            return i + 1
        case UInt8(ascii: ";"), UInt8(ascii: "&"), UInt8(ascii: "|"):
            commandPosition = true
            let next = i + 1 < bytes.count ? bytes[i + 1] : 0
            // `|`, `&&`, `||` at a line's end continue the command; `;` and a lone `&` end it.
            afterOperator = b == UInt8(ascii: "|") || (b == UInt8(ascii: "&") && next == UInt8(ascii: "&"))
            if next == b {
                visit(i + 1, .code)
                return i + 2
            }
            return i + 1
        case UInt8(ascii: "("):
            open.append(.paren)
            commandPosition = true
            return i + 1
        case UInt8(ascii: ")"):
            if open.last == .paren { open.removeLast() }
            commandPosition = false
            return i + 1
        case UInt8(ascii: "<") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "<"):
            guard i + 2 >= bytes.count || bytes[i + 2] != UInt8(ascii: "<") else {
                visit(i + 1, .code)
                visit(i + 2, .code)
                return i + 3
            }
            visit(i + 1, .code)
            return heredoc(bytes, from: i + 2, visit: visit)
        default:
            return word(bytes, at: i, visit: visit)
        }
    }

    /// A word: checks it for a keyword when it stands where a command would.
    private mutating func word(_ bytes: [UInt8], at start: Int, visit: (Int, Context) -> Void) -> Int {
        var end = start + 1
        while end < bytes.count, !Self.endsWord(bytes[end]) {
            visit(end, .code)
            end += 1
        }
        if commandPosition {
            let text = String(decoding: bytes[start..<end], as: UTF8.self)
            if let closer = Self.closers[text] {
                open.append(.keyword(closer))
            } else if case .keyword(text)? = open.last {
                open.removeLast()
            }
            commandPosition = Self.commandAgain.contains(text)
        }
        return end
    }

    /// `<<WORD`, `<<-WORD`, `<<'WORD'`, `<<"WORD"`, `<<\WORD` after the `<<`: its body starts on the next line.
    private mutating func heredoc(_ bytes: [UInt8], from start: Int, visit: (Int, Context) -> Void) -> Int {
        var i = start
        var stripTabs = false
        if i < bytes.count && bytes[i] == UInt8(ascii: "-") {
            stripTabs = true
            visit(i, .code)
            i += 1
        }
        while i < bytes.count && (bytes[i] == 0x20 || bytes[i] == 0x09) { i += 1 }
        var delimiter: [UInt8] = []
        var quoted = false
        while i < bytes.count, !Self.endsWord(bytes[i]) || bytes[i] == UInt8(ascii: "'") || bytes[i] == UInt8(ascii: "\"") {
            let b = bytes[i]
            visit(i, .code)
            if b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
                quoted = true
            } else {
                delimiter.append(b)
            }
            i += 1
        }
        if !delimiter.isEmpty { pending.append(Heredoc(delimiter: delimiter, stripTabs: stripTabs, quoted: quoted)) }
        commandPosition = false
        return i
    }

    private static func endsHeredoc(_ line: [UInt8], _ heredoc: Heredoc) -> Bool {
        var rest = line[...]
        if heredoc.stripTabs { rest = rest.drop { $0 == 0x09 } }
        return rest.elementsEqual(heredoc.delimiter)
    }

    private static func endsWithBackslash(_ line: [UInt8]) -> Bool {
        var count = 0
        var i = line.count - 1
        while i >= 0 && line[i] == UInt8(ascii: "\\") {
            count += 1
            i -= 1
        }
        return count % 2 == 1
    }

    /// Bytes after which a `#` starts a comment.
    private static func startsWord(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == UInt8(ascii: ";") || b == UInt8(ascii: "&") || b == UInt8(ascii: "|") || b == UInt8(ascii: "(")
    }

    /// Bytes that end an unquoted word.
    static func endsWord(_ b: UInt8) -> Bool {
        switch b {
        case 0x20, 0x09, UInt8(ascii: ";"), UInt8(ascii: "&"), UInt8(ascii: "|"), UInt8(ascii: "("), UInt8(ascii: ")"),
            UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""):
            return true
        default:
            return false
        }
    }
}
