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

    static let keys = ["title", "description", "params", "shell", "timeout", "dir", "env"]
    static let paramKeys = ["description", "default", "required", "secret", "pattern"]
    static let shells = ["bash", "sh", "zsh"]

    /// Finds front matter at the top of the file (`---` on line 1 up to a `---` or `...` line)
    /// and reads it. Reports problems into `sink`.
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
        let yaml = source.text(lines: 2, closing - 1)
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            let (line, column, problem) = describe(error)
            sink.error("front-matter-yaml", line: line + 1, column: column, "front matter is not valid YAML: \(problem)")
            return result
        } catch {
            sink.error("front-matter-yaml", line: 2, "front matter is not valid YAML: \(error)")
            return result
        }
        guard let root else { return result }
        guard let mapping = root.mapping else {
            sink.error("front-matter-shape", line: line(of: root), "front matter must be a YAML mapping of keys such as title, params, timeout")
            return result
        }
        var reader = Reader(sink: sink)
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            let at = line(of: keyNode)
            if key.hasPrefix("x-") { continue }
            switch key {
            case "title": result.title = reader.string(value, "title")
            case "description": result.description = reader.string(value, "description")
            case "params": result.params = reader.params(value)
            case "shell":
                if let s = reader.string(value, "shell") {
                    if shells.contains(s) || s.hasPrefix("/") {
                        result.defaults.shell = s
                    } else {
                        reader.sink.error(
                            "bad-front-matter-value", line: at,
                            "front matter 'shell' must be one of \(shells.joined(separator: ", ")) or an absolute path, not '\(s)'")
                    }
                }
            case "timeout":
                if let s = reader.scalarText(value, "timeout") {
                    if s == "none" {
                        result.defaults.timeout = StepTimeout.none
                    } else if let seconds = parseDuration(s), seconds > 0, seconds <= 7 * 86400 {
                        result.defaults.timeout = .seconds(seconds)
                    } else {
                        reader.sink.error(
                            "bad-front-matter-value", line: line(of: value),
                            "front matter 'timeout' takes a duration such as 30s, 10m, 1h (more than zero, at most 7 days) or none, not '\(s)'")
                    }
                }
            case "dir":
                result.defaults.dir = reader.string(value, "dir")
                result.dirAt = (line(of: value), column(of: value))
            case "env":
                result.defaults.env = reader.env(value)
                for (k, v) in value.mapping ?? [:] { if let name = k.string { result.envAt[name] = (line(of: v), column(of: v)) } }
            default:
                reportUnknownKey(key, line: at, column: column(of: keyNode), sink: &reader.sink)
            }
        }
        sink = reader.sink
        return result
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

    /// Reports a front matter key that is not one of `keys`, suggesting the closest one if any is close.
    private static func reportUnknownKey(_ key: String, line: Int, column: Int, sink: inout DiagnosticSink) {
        if let guess = closestMatch(to: key, in: keys) {
            sink.error("unknown-front-matter-key", line: line, column: column, "unknown front matter key '\(key)' (did you mean '\(guess)'?)")
        } else {
            sink.error(
                "unknown-front-matter-key", line: line, column: column,
                "unknown front matter key '\(key)'; known keys: \(keys.joined(separator: ", ")) (prefix your own with 'x-')")
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

    private static func describe(_ error: YamlError) -> (Int, Int, String) {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return (mark.line, mark.column, problem)
        default:
            return (1, 1, "\(error)")
        }
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

/// Whether `regex` matches the whole of `value`.
func fullMatch(_ regex: NSRegularExpression, _ value: String) -> Bool {
    let range = NSRange(value.startIndex..<value.endIndex, in: value)
    guard let match = regex.firstMatch(in: value, options: [.anchored], range: range) else { return false }
    return match.range == range
}
