import Foundation

/// A param's value for this run and where it came from.
public struct ResolvedParam: Sendable {
    /// The param as declared.
    public var param: Param
    /// Its value for this run.
    public var value: String
    /// `set` (--set), `journal` (recorded by the run being resumed), `env`, `default`, `prompt`, `empty`.
    public var source: String
}

/// Why params could not be resolved; each line says which param and what to do.
public struct ParamError: Error, CustomStringConvertible, Sendable {
    /// One line per problem.
    public var problems: [String]
    /// The problems, one per line.
    public var description: String { problems.joined(separator: "\n") }
}

/// Resolves params: `--set NAME=VALUE` first, then the environment, then the default,
/// then a prompt (secrets without echo). Checks `pattern`, `required` and the
/// minimum secret length before anything runs.
public enum ParamResolver {
    /// Secrets shorter than this are refused: masking them would hide ordinary output.
    public static let minimumSecretLength = 8

    /// Resolves every param of a runbook, collecting every problem; `prompt` is asked for a value
    /// nothing else gave (nil: never ask).
    public static func resolve(
        _ params: [Param], sets: [(String, String)], recorded: [String: String] = [:],
        environment: [String: String],
        prompt: ((Param) -> String?)?, path: String
    ) throws(ParamError) -> [ResolvedParam] {
        var problems: [String] = []
        var given: [String: String] = [:]
        let names = params.map(\.name)
        for (name, value) in sets {
            if !names.contains(name) {
                let hint =
                    closestMatch(to: name, in: names).map { " (did you mean '\($0)'?)" }
                    ?? (names.isEmpty ? "; it declares none" : "; declared: \(names.joined(separator: ", "))")
                problems.append("--set \(name): \(path) has no param named '\(name)'\(hint)")
            }
            given[name] = value
        }
        var out: [ResolvedParam] = []
        for param in params {
            var value: String?
            var source = ""
            if let v = given[param.name] {
                value = v
                source = "set"
            } else if let v = recorded[param.name] {
                value = v
                source = "journal"
            } else if let v = environment[param.name] {
                value = v
                source = "env"
            } else if let v = param.defaultValue {
                value = v
                source = "default"
            } else if let prompt, let v = prompt(param) {
                value = v
                source = "prompt"
            }
            guard let resolved = value else {
                if param.required {
                    problems.append("param '\(param.name)' (\(path):\(param.line)) has no value; pass --set \(param.name)=VALUE or export \(param.name)")
                    continue
                }
                out.append(ResolvedParam(param: param, value: "", source: "empty"))
                continue
            }
            if param.required && resolved.isEmpty {
                problems.append("param '\(param.name)' (\(path):\(param.line)) is required but its value is empty")
                continue
            }
            if param.secret && !resolved.isEmpty && resolved.utf8.count < ParamResolver.minimumSecretLength {
                problems.append(
                    "secret param '\(param.name)' (\(path):\(param.line)) is \(resolved.utf8.count) characters; secrets must be at least \(ParamResolver.minimumSecretLength) so masking them cannot hide ordinary output. Use the real secret"
                )
                continue
            }
            if let pattern = param.pattern, let regex = try? NSRegularExpression(pattern: pattern), !fullMatch(regex, resolved) {
                let shown = param.secret ? "the given value" : "'\(resolved)'"
                problems.append("param '\(param.name)' (\(path):\(param.line)): \(shown) does not match its pattern '\(pattern)'")
                continue
            }
            out.append(ResolvedParam(param: param, value: resolved, source: source))
        }
        if !problems.isEmpty { throw ParamError(problems: problems) }
        return out
    }
}
