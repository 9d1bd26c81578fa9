/// Finds placeholders in a command's text: `<namespace>`, `<pod-name>`, `YOUR_TOKEN_HERE`, `CHANGEME`.
///
/// Not in comments; not `<<EOF`, `<(cmd)` or `< file`; not an e-mail (`<a@b.c>`) or a tag that is closed
/// (`<b>…</b>`). The caller fills in `command` and `declared`.
enum PlaceholderScanner {
    /// Quick test, one pass: whether `text` could hold any placeholder at all (a `<`, or a marker's word).
    static func mayHold(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: "<") { return true }
                switch b & 0xDF {
                case UInt8(ascii: "Y"), UInt8(ascii: "H"), UInt8(ascii: "C"), UInt8(ascii: "R"):
                    if markerWords.contains(where: { startsIgnoringCase(bytes, at: i, $0) }) { return true }
                default:
                    break
                }
                i += 1
            }
            return false
        }
    }

    /// Words every marker holds, upper-case ASCII.
    private static let markerWords: [[UInt8]] = ["YOUR", "HERE", "CHANGE", "REPLACE"].map { Array($0.utf8) }

    private static func startsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int, _ word: [UInt8]) -> Bool {
        guard i + word.count <= bytes.count else { return false }
        for j in 0..<word.count where bytes[i + j] & 0xDF != word[j] { return false }
        return true
    }

    /// The placeholders in `text`, whose lines came from `pieces`, in order.
    static func scan(_ text: String, pieces: [TextPiece]) -> [Placeholder] {
        let bytes = Array(text.utf8)
        var out: [Placeholder] = []
        var lexer = ShellLexer()
        var lineStart = 0
        var lineIndex = 0
        while lineStart <= bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
            let line = bytes[lineStart..<lineEnd]
            var contexts = [ShellLexer.Context](repeating: .code, count: line.count)
            lexer.feed(line) { contexts[$0] = $1 }
            let piece = lineIndex < pieces.count ? pieces[lineIndex] : nil
            let found = scanLine(Array(line), contexts: contexts, text: bytes)
            for var placeholder in found {
                placeholder.offset += lineStart
                placeholder.line = piece?.line ?? 0
                placeholder.column = (piece?.column ?? 1) + placeholder.column
                out.append(placeholder)
            }
            lineStart = lineEnd + 1
            lineIndex += 1
        }
        return out
    }

    /// The quoting at UTF-8 `offset` of `text`.
    static func quoting(in text: String, at offset: Int) -> PlaceholderQuoting {
        var lexer = ShellLexer()
        var lineStart = 0
        let bytes = Array(text.utf8)
        var result = PlaceholderQuoting.none
        while lineStart <= bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
            lexer.feed(bytes[lineStart..<lineEnd]) { i, context in
                if lineStart + i == offset { result = quoting(context) }
            }
            if offset < lineEnd { break }
            lineStart = lineEnd + 1
        }
        return result
    }

    /// Placeholders in one line; `offset` and `column` are relative to the line (column 0-based).
    private static func scanLine(_ line: [UInt8], contexts: [ShellLexer.Context], text: [UInt8]) -> [Placeholder] {
        var out: [Placeholder] = []
        var i = 0
        while i < line.count {
            if contexts[i] == .comment { break }
            if line[i] == UInt8(ascii: "<"), let end = angleEnd(line, from: i), !isClosedTag(line[(i + 1)..<(end - 1)], in: text),
                sameQuoting(contexts[i], contexts[end - 1])
            {
                let content = String(decoding: line[(i + 1)..<(end - 1)], as: UTF8.self)
                let name = assignedName(line, tokenStart: i, contexts: contexts) ?? paramName(content)
                out.append(make(name: name, token: line[i..<end], kind: .angle, label: label(content), at: i, context: contexts[i]))
                i = end
                continue
            }
            if isWordByte(line[i]), i == 0 || !isWordByte(line[i - 1]) {
                var end = i
                while end < line.count && isWordByte(line[end]) { end += 1 }
                let word = String(decoding: line[i..<end], as: UTF8.self)
                // A variable's name, not a placeholder: `$NAME`, `${NAME}`, `${#NAME}` (its length), `${!NAME}`.
                let afterDollar =
                    i > 0
                    && (line[i - 1] == UInt8(ascii: "$") || line[i - 1] == UInt8(ascii: "{")
                        || (i > 1 && (line[i - 1] == UInt8(ascii: "#") || line[i - 1] == UInt8(ascii: "!")) && line[i - 2] == UInt8(ascii: "{")))
                if !afterDollar, let derived = markerName(word) {
                    let name = assignedName(line, tokenStart: i, contexts: contexts) ?? derived
                    let label = name.lowercased().replacingOccurrences(of: "_", with: " ")
                    out.append(make(name: name, token: line[i..<end], kind: .marker, label: label, at: i, context: contexts[i]))
                }
                i = end
                continue
            }
            i += 1
        }
        return out
    }

    private static func make(
        name: String, token: ArraySlice<UInt8>, kind: PlaceholderKind, label: String, at offset: Int, context: ShellLexer.Context
    ) -> Placeholder {
        Placeholder(
            name: name, token: String(decoding: token, as: UTF8.self), kind: kind, label: label, secret: looksSecret(name),
            declared: false, line: 0, column: offset, command: 0, offset: offset, length: token.count, quoting: quoting(context))
    }

    /// The index after the `>` of a placeholder starting at the `<` at `i`, or nil.
    private static func angleEnd(_ line: [UInt8], from i: Int) -> Int? {
        guard i + 2 < line.count, i == 0 || line[i - 1] != UInt8(ascii: "<"), isLetter(line[i + 1]) else { return nil }
        var j = i + 1
        while j < line.count, j - i <= 64 {
            let b = line[j]
            if b == UInt8(ascii: ">") {
                let last = line[j - 1]
                return isLetter(last) || isDigit(last) ? j + 1 : nil
            }
            guard isLetter(b) || isDigit(b) || b == 0x20 || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") else {
                return nil
            }
            j += 1
        }
        return nil
    }

    /// Whether `</name>` appears in the text: then `<name>` is a tag of XML or HTML, not a placeholder.
    private static func isClosedTag(_ name: ArraySlice<UInt8>, in text: [UInt8]) -> Bool {
        let closing = Array("</".utf8) + Array(name) + [UInt8(ascii: ">")]
        guard text.count >= closing.count else { return false }
        for start in 0...(text.count - closing.count) where text[start] == closing[0] {
            if text[start..<(start + closing.count)].elementsEqual(closing) { return true }
        }
        return false
    }

    private static func sameQuoting(_ a: ShellLexer.Context, _ b: ShellLexer.Context) -> Bool {
        switch (a, b) {
        case (.code, .code), (.single, .single), (.double, .double), (.heredoc, .heredoc): return true
        default: return false
        }
    }

    /// `NAME` when the token is the whole value of `NAME=…` (`NAME=<x>`, `NAME='<x>'`, `export NAME="<x>"`),
    /// for an upper-case NAME.
    private static func assignedName(_ line: [UInt8], tokenStart: Int, contexts: [ShellLexer.Context]) -> String? {
        var i = tokenStart
        switch contexts[tokenStart] {
        case .single(let opened?) where opened == tokenStart - 1, .double(let opened?) where opened == tokenStart - 1: i -= 1
        case .code: break
        default: return nil
        }
        guard i >= 2, line[i - 1] == UInt8(ascii: "=") else { return nil }
        var start = i - 1
        while start > 0 && (isWordByte(line[start - 1]) && line[start - 1] != UInt8(ascii: "-")) { start -= 1 }
        guard start == 0 || line[start - 1] == 0x20 || line[start - 1] == 0x09 || line[start - 1] == UInt8(ascii: ";") else { return nil }
        let name = String(decoding: line[start..<(i - 1)], as: UTF8.self)
        guard isEnvName(name), !name.utf8.contains(where: { $0 >= 97 && $0 <= 122 }) else { return nil }
        return name
    }

    /// `pod-name` → `POD_NAME`, `cluster ID` → `CLUSTER_ID`, `your email` → `EMAIL`; at most 40 bytes.
    static func paramName(_ content: String) -> String {
        var parts = content.uppercased().split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }.map(String.init)
        if parts.count > 1, ["YOUR", "MY", "THE", "A"].contains(parts[0]) { parts.removeFirst() }
        if parts.count > 1, parts.last == "HERE" { parts.removeLast() }
        var name = ""
        for part in parts {
            let next = name.isEmpty ? part : name + "_" + part
            if next.utf8.count > 40 && !name.isEmpty { break }
            name = next
        }
        if name.isEmpty { return "VALUE" }
        if let first = name.utf8.first, isDigit(first) { name = "P_" + name }
        return name
    }

    /// Human words for the value: `pod-name` → `pod name`.
    private static func label(_ content: String) -> String {
        content.replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "_", with: " ")
    }

    /// The param name of a marker word (`YOUR_TOKEN_HERE` → `TOKEN`, `CHANGEME` → `VALUE`), or nil when it is none.
    private static func markerName(_ word: String) -> String? {
        let upper = word.uppercased().replacingOccurrences(of: "-", with: "_")
        if ["CHANGEME", "CHANGE_ME", "REPLACEME", "REPLACE_ME"].contains(upper) { return "VALUE" }
        let marked = (upper.hasPrefix("YOUR_") && upper.count > 5) || (upper.hasSuffix("_HERE") && upper.count > 5)
        guard marked, word == word.uppercased() || word == word.lowercased() else { return nil }
        return paramName(upper)
    }

    /// Whether a value of this name must never be recorded: its words hold a token, password, key or secret.
    static func looksSecret(_ name: String) -> Bool {
        let upper = name.uppercased()
        if ["TOKEN", "PASSWORD", "PASSWD", "SECRET", "CREDENTIAL", "APIKEY"].contains(where: { upper.contains($0) }) { return true }
        return upper.split(separator: "_").contains { $0 == "KEY" || $0 == "PASS" || $0 == "PW" }
    }

    private static func quoting(_ context: ShellLexer.Context) -> PlaceholderQuoting {
        switch context {
        case .code, .comment: return .none
        case .single: return .single
        case .double: return .double
        case .heredoc(let quoted): return quoted ? .literalHeredoc : .heredoc
        }
    }

    private static func isLetter(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 65 && b <= 90) }
    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    private static func isWordByte(_ b: UInt8) -> Bool { isLetter(b) || isDigit(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") }
}
