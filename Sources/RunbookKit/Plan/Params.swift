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
    /// Set when the operator cancelled at a prompt (Ctrl-C): the signal.
    public var cancelledBy: Int32?

    /// Problems, or a cancellation.
    public init(problems: [String], cancelledBy: Int32? = nil) {
        self.problems = problems
        self.cancelledBy = cancelledBy
    }
    /// The problems, one per line.
    public var description: String { problems.joined(separator: "\n") }
}

/// Resolves params: `--set NAME=VALUE` first, then the environment, then the default,
/// then a prompt (secrets without echo). Checks `pattern`, `required` and the
/// minimum secret length before anything runs.
public enum ParamResolver {
    /// Secrets shorter than this are refused: masking them would hide ordinary output.
    public static let minimumSecretLength = 8

    /// What the operator gave at a param prompt.
    public enum PromptAnswer: Sendable {
        /// A value (already checked on a terminal; checked again here).
        case value(String)
        /// Nothing: the input ended.
        case none
        /// The operator pressed Ctrl-C (or another stopping signal arrived): the run is cancelled.
        case cancelled(Int32)
    }

    /// Resolves every param of a runbook, collecting every problem. Values from `--set`, the
    /// journal being resumed, the environment and defaults are all checked before anything is
    /// asked; then `prompt` is asked for each value nothing else gave (nil: never ask).
    public static func resolve(
        _ params: [Param], sets: [(String, String)], recorded: [String: String] = [:],
        environment: [String: String],
        prompt: ((Param) -> PromptAnswer)?, path: String
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
        var resolved: [String: ResolvedParam] = [:]
        var toAsk: [Param] = []
        for param in params {
            let found: (String, String)? =
                given[param.name].map { ($0, "set") } ?? recorded[param.name].map { ($0, "journal") }
                ?? environment[param.name].map { ($0, "env") } ?? param.defaultValue.map { ($0, "default") }
            guard let (value, source) = found else {
                toAsk.append(param)
                continue
            }
            if let problem = problem(with: value, for: param, path: path) {
                problems.append(problem)
            } else {
                resolved[param.name] = ResolvedParam(param: param, value: value, source: source)
            }
        }
        // Nothing is asked while a value already given is wrong.
        if !problems.isEmpty { throw ParamError(problems: problems) }
        for param in toAsk {
            switch prompt?(param) ?? .none {
            case .cancelled(let signal):
                throw ParamError(problems: ["cancelled at the prompt for param '\(param.name)'; nothing was run or recorded"], cancelledBy: signal)
            case .value(let value):
                if let problem = problem(with: value, for: param, path: path) {
                    problems.append(problem)
                } else {
                    resolved[param.name] = ResolvedParam(param: param, value: value, source: "prompt")
                }
            case .none:
                if param.required {
                    problems.append("param '\(param.name)' (\(path):\(param.line)) has no value; pass --set \(param.name)=VALUE or export \(param.name)")
                } else {
                    resolved[param.name] = ResolvedParam(param: param, value: "", source: "empty")
                }
            }
        }
        if !problems.isEmpty { throw ParamError(problems: problems) }
        return params.compactMap { resolved[$0.name] }
    }

    /// What is wrong with `value` for `param`, or nil: a required param's empty value, a short
    /// secret, a value that does not match the pattern.
    public static func problem(with value: String, for param: Param, path: String) -> String? {
        if param.required && value.isEmpty {
            return "param '\(param.name)' (\(path):\(param.line)) is required but its value is empty"
        }
        if param.secret && !value.isEmpty && value.utf8.count < minimumSecretLength {
            return
                "secret param '\(param.name)' (\(path):\(param.line)) is \(byteCount(value.utf8.count)) long; secrets must be at least \(minimumSecretLength) bytes so masking them cannot hide ordinary output. Use the real secret"
        }
        if let pattern = param.pattern, let regex = try? NSRegularExpression(pattern: pattern), !fullMatch(regex, value) {
            let shown = param.secret ? "the given value" : "'\(value)'"
            let words = PatternWords.describe(pattern).map { " (\($0))" } ?? ""
            return "param '\(param.name)' (\(path):\(param.line)): \(shown) does not match its pattern '\(pattern)'\(words)"
        }
        return nil
    }
}
