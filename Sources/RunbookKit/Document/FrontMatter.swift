import Foundation
import Yams

/// The YAML front matter of a runbook: title, description, params and step defaults.
struct FrontMatter {
    var title: String?
    var description: String?
    var params: [Param] = []
    var defaults = Defaults()
    /// Line of the closing `---`, or 0 when there is no front matter.
    var lastLine = 0
    /// Lines of the `dir` value and of each `env` variable, for findings about them.
    var dirAt = (line: 1, column: 1)
    var envAt: [String: (line: Int, column: Int)] = [:]
    /// Where things stand in the front matter, for `adopt`.
    var layout = FrontMatterLayout()

    static let keys = ["title", "description", "params", "shell", "timeout", "dir", "env"]
    static let paramKeys = ["description", "default", "required", "secret", "pattern"]
    static let shells = ["bash", "sh", "zsh"]

    /// Finds front matter at the top of the file (`---` on line 1 up to a `---` or `...` line)
    /// and reads it. Reports problems into `sink`.
    ///
    /// Keys that are not ours belong to a site generator (Hugo's `weight`, MkDocs' `hide`) and are
    /// ignored; one close to ours (`timout`) is a warning. With a `runbook:` map, our keys are read from
    /// it alone (every key in it is ours) and the top level is the site's.
    static func read(_ source: SourceText, sink: inout DiagnosticSink) -> FrontMatter {
        var result = FrontMatter()
        guard source.lineCount >= 1, isDelimiter(source.line(1), allowDots: false) else { return result }
        guard let closing = closingLine(source) else {
            sink.error(
                "unclosed-front-matter", line: 1,
                "front matter opened with '---' is never closed; add a line '---' after the YAML (or remove the first line if this is not front matter)")
            return result
        }
        result.lastLine = closing
        result.layout.closingLine = closing
        let yaml = source.text(lines: 2, closing - 1)
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            if yaml.contains("{{") {
                sink.warning(
                    "front-matter-template", line: 1,
                    "front matter is a site generator's template ({{ … }}), not YAML; runbook reads the file without it. Keep it if your site needs it, or write plain YAML"
                )
                return result
            }
            let (line, column, problem) = describe(error, yaml: yaml)
            sink.error("front-matter-yaml", line: line + 1, column: column, "front matter is not valid YAML: \(problem)")
            return result
        } catch {
            sink.error("front-matter-yaml", line: 2, "front matter is not valid YAML: \(error)")
            return result
        }
        guard let root else {
            result.layout.editable = true
            return result
        }
        guard let mapping = root.mapping else {
            sink.error("front-matter-shape", line: line(of: root), "front matter must be a YAML mapping of keys such as title, params, timeout")
            return result
        }
        var reader = Reader(sink: sink)
        if let (keyNode, ours) = mapping.first(where: { $0.key.string == "runbook" }) {
            guard let inner = ours.mapping else {
                sink.error(
                    "bad-front-matter-value", line: line(of: keyNode), column: column(of: keyNode),
                    "'runbook' must be a mapping of runbook's own keys (title, params, timeout, …), indented under it")
                return result
            }
            result.readKeys(inner, strict: true, reader: &reader)
            // Yams reads a mapping's style from the wrong event, so block or flow is told by the lines.
            result.layout.ourMap = (line(of: keyNode), inner.first.map { line(of: $0.key) > line(of: keyNode) } ?? false)
            result.layout.ourIndent = inner.first.map { column(of: $0.key) - 1 } ?? column(of: keyNode) + 1
            if result.title == nil, let title = mapping["title"]?.scalar { result.title = title.string }
            if result.description == nil, let description = mapping["description"]?.scalar { result.description = description.string }
        } else {
            result.readKeys(mapping, strict: false, reader: &reader)
        }
        result.layout.editable = result.layout.ourMap?.block ?? true
        sink = reader.sink
        return result
    }

    /// Reads our keys from `mapping`. `strict`: every key is ours, so an unknown one is an error;
    /// else it is the site's, ignored, with a warning when it is close to one of ours.
    private mutating func readKeys(_ mapping: Node.Mapping, strict: Bool, reader: inout Reader) {
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            let at = Self.line(of: keyNode)
            if key.hasPrefix("x-") { continue }
            switch key {
            case "title": title = reader.string(value, "title")
            case "description": description = reader.string(value, "description")
            case "params":
                params = reader.params(value)
                layout.params = Self.paramsPlacement(keyNode, value)
            case "shell": readShell(value, at: at, reader: &reader)
            case "timeout": readTimeout(value, reader: &reader)
            case "dir":
                defaults.dir = reader.string(value, "dir")
                dirAt = (Self.line(of: value), Self.column(of: value))
            case "env":
                defaults.env = reader.env(value)
                for (k, v) in value.mapping ?? [:] { if let name = k.string { envAt[name] = (Self.line(of: v), Self.column(of: v)) } }
            default:
                Self.reportUnknownKey(key, strict: strict, line: at, column: Self.column(of: keyNode), sink: &reader.sink)
            }
        }
    }

    private mutating func readShell(_ value: Node, at: Int, reader: inout Reader) {
        guard let s = reader.string(value, "shell") else { return }
        if Self.shells.contains(s) || s.hasPrefix("/") {
            defaults.shell = s
        } else {
            reader.sink.error(
                "bad-front-matter-value", line: at,
                "front matter 'shell' must be one of \(Self.shells.joined(separator: ", ")) or an absolute path, not '\(s)'")
        }
    }

    private mutating func readTimeout(_ value: Node, reader: inout Reader) {
        guard let s = reader.scalarText(value, "timeout") else { return }
        if s == "none" {
            defaults.timeout = StepTimeout.none
        } else if let seconds = parseDuration(s), seconds > 0, seconds <= 7 * 86400 {
            defaults.timeout = .seconds(seconds)
        } else {
            reader.sink.error(
                "bad-front-matter-value", line: Self.line(of: value),
                "front matter 'timeout' takes a duration such as 30s, 10m, 1h (more than zero, at most 7 days) or none, not '\(s)'")
        }
    }

    /// Where new params can go under an existing `params:` key.
    private static func paramsPlacement(_ key: Node, _ value: Node) -> FrontMatterLayout.Params {
        let keyLine = line(of: key)
        if let mapping = value.mapping {
            guard let first = mapping.first else { return .empty(keyLine: keyLine) }
            guard line(of: first.key) > keyLine else { return .flow(keyLine: keyLine) }
            return .block(keyLine: keyLine, childIndent: column(of: first.key) - 1)
        }
        return value.null != nil ? .empty(keyLine: keyLine) : .flow(keyLine: keyLine)
    }

    /// The line of the `---` or `...` that closes front matter opened on line 1, or nil when none does.
    private static func closingLine(_ source: SourceText) -> Int? {
        var n = 2
        while n <= source.lineCount {
            if isDelimiter(source.line(n), allowDots: true) { return n }
            n += 1
        }
        return nil
    }

    /// Reports a front matter key that is not one of `keys`: an error inside the `runbook:` map (`strict`),
    /// else a warning when it is close to one of ours, else nothing (it is the site generator's).
    private static func reportUnknownKey(_ key: String, strict: Bool, line: Int, column: Int, sink: inout DiagnosticSink) {
        // Outside the map the key is likely another tool's: only a near miss counts (`runbook_url` is not `runbook`).
        let guess = closestMatch(to: key, in: strict ? keys : keys + ["runbook"]).flatMap { guess -> String? in
            strict || editDistance(Array(key.lowercased().utf8), Array(guess.utf8)) <= max(1, min(2, key.utf8.count / 4)) ? guess : nil
        }
        if strict {
            let hint = guess.map { " (did you mean '\($0)'?)" } ?? "; known keys: \(keys.joined(separator: ", "))"
            sink.error("unknown-front-matter-key", line: line, column: column, "unknown key '\(key)' under 'runbook'\(hint)")
        } else if let guess {
            sink.warning(
                "unknown-front-matter-key", line: line, column: column,
                "front matter key '\(key)' is not runbook's, so it is ignored (did you mean '\(guess)'?); if it is your site generator's, move runbook's keys under 'runbook:' to keep the two apart"
            )
        }
    }

    private static func isDelimiter(_ line: ArraySlice<UInt8>, allowDots: Bool) -> Bool {
        var trimmed = line
        while let last = trimmed.last, last == 0x20 || last == 0x09 { trimmed = trimmed.dropLast() }
        if trimmed.elementsEqual("---".utf8) { return true }
        return allowDots && trimmed.elementsEqual("...".utf8)
    }

    /// File line of a YAML node (front matter YAML starts on file line 2).
    static func line(of node: Node) -> Int { (node.mark?.line ?? 1) + 1 }
    static func column(of node: Node) -> Int { node.mark?.column ?? 1 }

    private static func describe(_ error: YamlError, yaml: String) -> (Int, Int, String) {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return (mark.line, mark.column, problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return duplicateKey(duplicates.sorted(), mapping: context.mark, yaml: yaml)
        default:
            return (1, 1, "\(error)")
        }
    }

    /// Where the first of `keys` is written again in the mapping that starts at `mapping` (its
    /// keys stand at that column), and the problem in words: Yams names the keys only.
    private static func duplicateKey(_ keys: [String], mapping: Mark, yaml: String) -> (Int, Int, String) {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        let indent = max(mapping.column - 1, 0)
        var seen: [String: Int] = [:]
        for number in max(mapping.line, 1)...max(lines.count, 1) where number <= lines.count {
            let line = lines[number - 1]
            let leading = line.prefix { $0 == " " }.count
            let text = line.dropFirst(leading)
            if number > mapping.line && !text.isEmpty && !text.hasPrefix("#") && leading < indent { break }
            guard leading == indent else { continue }
            for key in keys where text.hasPrefix(key + ":") || text.hasPrefix("\"\(key)\":") || text.hasPrefix("'\(key)':") {
                if let first = seen[key] {
                    let also = keys.count > 1 ? " (and \(keys.filter { $0 != key }.map { "'\($0)'" }.joined(separator: ", ")) too)" : ""
                    return (number, indent + 1, "the key '\(key)' is written twice, on lines \(first + 1) and \(number + 1)\(also); keep one of them")
                }
                seen[key] = number
            }
        }
        let named = keys.map { "'\($0)'" }.joined(separator: ", ")
        return (mapping.line, mapping.column, "a key is written twice in one mapping (\(named)); keep one of each")
    }

    /// Reads typed values from YAML nodes, reporting bad ones.
    private struct Reader {
        var sink: DiagnosticSink

        mutating func scalarText(_ node: Node, _ what: String) -> String? {
            guard let scalar = node.scalar else {
                sink.error("bad-front-matter-value", line: FrontMatter.line(of: node), "'\(what)' must be a single value, not a list or mapping")
                return nil
            }
            return scalar.string
        }

        mutating func string(_ node: Node, _ what: String) -> String? {
            scalarText(node, what)
        }

        mutating func bool(_ node: Node, _ what: String) -> Bool? {
            guard let scalar = node.scalar else {
                sink.error("bad-front-matter-value", line: FrontMatter.line(of: node), "'\(what)' must be true or false")
                return nil
            }
            switch scalar.string {
            case "true", "True", "TRUE", "yes", "Yes": return true
            case "false", "False", "FALSE", "no", "No": return false
            default:
                sink.error("bad-front-matter-value", line: FrontMatter.line(of: node), "'\(what)' must be true or false, not '\(scalar.string)'")
                return nil
            }
        }

        mutating func env(_ node: Node) -> [EnvVar] {
            guard let mapping = node.mapping else {
                if node.null == nil {
                    sink.error("bad-front-matter-value", line: FrontMatter.line(of: node), "'env' must be a mapping of NAME: value")
                }
                return []
            }
            var out: [EnvVar] = []
            for (k, v) in mapping {
                let name = k.string ?? ""
                guard isEnvName(name) else {
                    sink.error(
                        "bad-front-matter-value", line: FrontMatter.line(of: k),
                        "'\(name)' in 'env' is not a valid environment variable name (letters, digits, '_', not starting with a digit)")
                    continue
                }
                guard let value = scalarText(v, "env.\(name)") else { continue }
                out.append(EnvVar(name: name, value: value))
            }
            return out
        }

        mutating func params(_ node: Node) -> [Param] {
            guard let mapping = node.mapping else {
                if node.null == nil {
                    sink.error("bad-front-matter-value", line: FrontMatter.line(of: node), "'params' must be a mapping from a parameter name to its settings")
                }
                return []
            }
            var out: [Param] = []
            for (k, v) in mapping {
                let name = k.string ?? ""
                let at = FrontMatter.line(of: k)
                guard isEnvName(name) else {
                    sink.error(
                        "bad-param", line: at, column: FrontMatter.column(of: k),
                        "parameter name '\(name)' is not a valid environment variable name (letters, digits, '_', not starting with a digit)")
                    continue
                }
                var param = Param(name: name, description: nil, defaultValue: nil, required: false, secret: false, pattern: nil, line: at)
                if let settings = v.mapping {
                    for (sk, sv) in settings {
                        let setting = sk.string ?? ""
                        switch setting {
                        case "description": param.description = string(sv, "\(name).description")
                        case "default": param.defaultValue = scalarText(sv, "\(name).default")
                        case "required": param.required = bool(sv, "\(name).required") ?? false
                        case "secret": param.secret = bool(sv, "\(name).secret") ?? false
                        case "pattern": param.pattern = string(sv, "\(name).pattern")
                        default:
                            let hint =
                                closestMatch(to: setting, in: FrontMatter.paramKeys).map { " (did you mean '\($0)'?)" }
                                ?? "; known settings: \(FrontMatter.paramKeys.joined(separator: ", "))"
                            sink.error(
                                "unknown-param-setting", line: FrontMatter.line(of: sk), column: FrontMatter.column(of: sk),
                                "unknown setting '\(setting)' for parameter '\(name)'\(hint)")
                        }
                    }
                } else if v.null != nil {
                    // `NAME:` alone declares a parameter with no settings.
                } else if let scalar = v.scalar {
                    param.defaultValue = scalar.string
                } else {
                    sink.error(
                        "bad-param", line: at,
                        "parameter '\(name)' must be a mapping of settings (description, default, required, secret, pattern) or a default value")
                    continue
                }
                if let pattern = param.pattern {
                    if let regex = try? NSRegularExpression(pattern: pattern) {
                        if let value = param.defaultValue, !param.secret, !fullMatch(regex, value) {
                            sink.error("bad-param", line: at, "default '\(value)' of parameter '\(name)' does not match its pattern '\(pattern)'")
                        }
                    } else {
                        sink.error("bad-param", line: at, "pattern of parameter '\(name)' is not a valid regular expression: '\(pattern)'")
                    }
                }
                if param.secret, param.defaultValue != nil {
                    sink.error(
                        "secret-default", line: at,
                        "secret parameter '\(name)' has a default written in the runbook; remove the default and pass the value with --set or the environment")
                }
                if param.required, param.defaultValue != nil {
                    sink.warning(
                        "required-with-default", line: at, "parameter '\(name)' is required but has a default, so it is never missing; drop one of the two")
                }
                out.append(param)
            }
            return out
        }
    }
}

/// Whether `regex` matches the whole of `value` (by any of its alternatives: `a|abc` matches
/// `abc`, which an anchored first match, `a`, would miss).
func fullMatch(_ regex: NSRegularExpression, _ value: String) -> Bool {
    guard let whole = try? NSRegularExpression(pattern: "\\A(?:" + regex.pattern + ")\\z", options: regex.options) else { return false }
    let range = NSRange(value.startIndex..<value.endIndex, in: value)
    return whole.firstMatch(in: value, options: [], range: range) != nil
}

/// Where runbook's keys stand in the front matter, so `adopt` can add params without reading YAML again.
struct FrontMatterLayout: Sendable {
    /// Where new params go under an existing `params:` key.
    enum Params: Sendable, Equatable {
        /// A block mapping; its entries are indented by `childIndent` spaces.
        case block(keyLine: Int, childIndent: Int)
        /// `params:` with nothing after it, or `{}`.
        case empty(keyLine: Int)
        /// A flow mapping (`{A: 1}`) or a value of another kind: not edited.
        case flow(keyLine: Int)
    }

    /// Line of the closing `---`, 0 when there is no front matter.
    var closingLine = 0
    /// Whether the front matter is YAML `adopt` can add to (false for a template, bad YAML, a flow `runbook:` map).
    var editable = false
    /// The `runbook:` key's line and whether its map is a block one, when our keys live under it.
    var ourMap: (line: Int, block: Bool)?
    /// Spaces before our keys (0 at the top level).
    var ourIndent = 0
    /// Our `params:` key, when there is one.
    var params: Params?
}
