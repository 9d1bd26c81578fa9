import Foundation

/// A param's value for this run and where it came from.
public struct ResolvedParam: Sendable {
    public var param: Param
    public var value: String
    /// `set` (--set), `env`, `default`, `prompt`.
    public var source: String
}

/// Why params could not be resolved; each line says which param and what to do.
public struct ParamError: Error, CustomStringConvertible, Sendable {
    public var problems: [String]
    public var description: String { problems.joined(separator: "\n") }
}

/// Resolves params: `--set NAME=VALUE` first, then the environment, then the default,
/// then a prompt (secrets without echo). Checks `pattern`, `required` and the
/// minimum secret length before anything runs.
public enum ParamResolver {
    public static func resolve(_ params: [Param], sets: [(String, String)], recorded: [String: String] = [:],
                               environment: [String: String],
                               prompt: ((Param) -> String?)?, path: String) throws(ParamError) -> [ResolvedParam] {
        var problems: [String] = []
        var given: [String: String] = [:]
        let names = params.map(\.name)
        for (name, value) in sets {
            if !names.contains(name) {
                let hint = closestMatch(to: name, in: names).map { " (did you mean '\($0)'?)" }
                    ?? (names.isEmpty ? "; it declares none" : "; declared: \(names.joined(separator: ", "))")
                problems.append("--set \(name): \(path) has no param named '\(name)'\(hint)")
            }
            given[name] = value
        }
        var out: [ResolvedParam] = []
        for param in params {
            var value: String?
            var source = ""
            if let v = given[param.name] { value = v; source = "set" }
            else if let v = recorded[param.name] { value = v; source = "journal" }
            else if let v = environment[param.name] { value = v; source = "env" }
            else if let v = param.defaultValue { value = v; source = "default" }
            else if let prompt, let v = prompt(param) { value = v; source = "prompt" }
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
            if param.secret && !resolved.isEmpty && resolved.utf8.count < SecretMasker.minimumSecretLength {
                problems.append("secret param '\(param.name)' (\(path):\(param.line)) is \(resolved.utf8.count) characters; secrets must be at least \(SecretMasker.minimumSecretLength) so masking them cannot hide ordinary output. Use the real secret")
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

/// Expands `$NAME` and `${NAME}` from `values` (unknown names become empty), for `dir` and `env` values.
func expandVariables(_ text: String, _ values: [String: String]) -> String {
    guard text.contains("$") else { return text }
    let bytes = Array(text.utf8)
    var out = [UInt8]()
    var i = 0
    func isNameByte(_ b: UInt8, first: Bool) -> Bool {
        (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || (!first && b >= 48 && b <= 57)
    }
    while i < bytes.count {
        if bytes[i] == UInt8(ascii: "$"), i + 1 < bytes.count {
            var j = i + 1
            let braced = bytes[j] == UInt8(ascii: "{")
            if braced { j += 1 }
            let start = j
            while j < bytes.count && isNameByte(bytes[j], first: j == start) { j += 1 }
            if j > start && (!braced || (j < bytes.count && bytes[j] == UInt8(ascii: "}"))) {
                let name = String(decoding: bytes[start..<j], as: UTF8.self)
                out.append(contentsOf: Array((values[name] ?? "").utf8))
                i = braced ? j + 1 : j
                continue
            }
        }
        out.append(bytes[i])
        i += 1
    }
    return String(decoding: out, as: UTF8.self)
}

/// Finds `program` on `PATH` (or checks an absolute path); nil when not found or not executable.
func findExecutable(_ program: String, path: String?) -> String? {
    if program.contains("/") { return access(program, X_OK) == 0 ? program : nil }
    for dir in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
        let candidate = "\(dir)/\(program)"
        if access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
}
