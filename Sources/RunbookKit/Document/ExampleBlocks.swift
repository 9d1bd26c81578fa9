import Foundation
import Yams

/// What a shell block that is not really commands holds instead.
enum ExampleKind: String, Sendable {
    /// A YAML document (a manifest or a config file shown as `bash`).
    case yaml
    /// A JSON document.
    case json
    /// The output of a command, with no command.
    case output
    /// A session of another program (`pgbouncer=# show pools;`, `> info replication`).
    case session
    /// Only comments: the step would run nothing.
    case comments

    /// The fence language that shows it and never runs it.
    var language: String {
        switch self {
        case .yaml: return "yaml"
        case .json: return "json"
        case .output, .comments: return "text"
        case .session: return "console"
        }
    }

    /// Why the block is not commands, for a finding.
    var reason: String {
        switch self {
        case .yaml: return "holds YAML, not commands"
        case .json: return "holds JSON, not commands"
        case .output: return "looks like the output of a command, not commands"
        case .session: return "is a session of another program, which a step cannot type into"
        case .comments: return "holds only comments, so it runs nothing"
        }
    }
}

/// Tells shell blocks that are examples (shown, not meant to run) from scripts.
enum ExampleClassifier {
    /// What the script in `lines` is instead of commands, and the line that shows it; nil for a script.
    static func classify(_ lines: [CodeLine], code: String) -> (kind: ExampleKind, line: CodeLine)? {
        guard let first = lines.first(where: { !TranscriptReader.isBlank($0.bytes) }) else { return nil }
        guard let command = lines.first(where: { !TranscriptReader.isBlankOrComment($0.bytes) }) else {
            return first.bytes.drop { $0 == 0x20 || $0 == 0x09 }.starts(with: "#!".utf8) ? nil : (.comments, first)
        }
        let bytes = command.bytes.drop { $0 == 0x20 || $0 == 0x09 }
        if ConsolePrompt.foreignLength(bytes) != nil || isBarePrompt(bytes) { return (.session, command) }
        if let b = bytes.first, b == UInt8(ascii: "{") || b == UInt8(ascii: "["), isJSON(code) { return (.json, command) }
        if startsLikeYAML(bytes), isYAML(code) { return (.yaml, command) }
        if startsLikeOutput(bytes) { return (.output, command) }
        return nil
    }

    /// `> cmd arg`: a `>` prompt before a command of two or more words (bash would read a redirection).
    private static func isBarePrompt(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard ConsolePrompt.continuationLength(bytes) == 2 else { return false }
        let words = bytes.dropFirst(2).split(whereSeparator: { $0 == 0x20 || $0 == 0x09 })
        return words.count >= 2
    }

    private static func isJSON(_ code: String) -> Bool {
        guard let object = try? JSONSerialization.jsonObject(with: Data(code.utf8)) else { return false }
        return object is [String: Any] || object is [Any]
    }

    /// `key:` or `key: value` or `- key: value`, as YAML starts.
    private static func startsLikeYAML(_ bytes: ArraySlice<UInt8>) -> Bool {
        var rest = bytes
        if rest.starts(with: "- ".utf8) { rest = rest.dropFirst(2) }
        guard let first = rest.first, (first >= 97 && first <= 122) || (first >= 65 && first <= 90) else { return false }
        let key = rest.prefix { ($0 >= 97 && $0 <= 122) || ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 95 || $0 == 45 || $0 == 46 }
        let after = rest.dropFirst(key.count)
        guard after.first == UInt8(ascii: ":") else { return false }
        return after.count == 1 || after[after.startIndex + 1] == 0x20
    }

    private static func isYAML(_ code: String) -> Bool {
        guard let node = try? Yams.compose(yaml: code) else { return false }
        if node.mapping != nil { return true }
        if let sequence = node.sequence { return sequence.contains { $0.mapping != nil } }
        return false
    }

    /// A line no command starts like: a number (not a redirection `2>`), `*`, `-`, `+`, `|`, `=`, or a
    /// table header of upper-case words apart by two or more spaces (`NAME   READY   STATUS`).
    private static func startsLikeOutput(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first else { return false }
        if first >= 48 && first <= 57 {
            let next = bytes.drop { $0 >= 48 && $0 <= 57 }.first
            return next != UInt8(ascii: ">") && next != UInt8(ascii: "<")
        }
        if [UInt8(ascii: "*"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "|"), UInt8(ascii: "=")].contains(first) {
            return true
        }
        return isTableHeader(bytes)
    }

    /// Upper-case words in two or more columns apart by at least two spaces: `NAME   READY   STATUS`.
    private static func isTableHeader(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, first >= 65 && first <= 90 else { return false }
        var columns = 1
        var spaces = 0
        for b in bytes {
            if b == 0x20 {
                spaces += 1
                continue
            }
            let upper = (b >= 65 && b <= 90) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: "(") || b == UInt8(ascii: ")")
            guard upper else { return false }
            if spaces >= 2 { columns += 1 }
            spaces = 0
        }
        return columns >= 2
    }
}
