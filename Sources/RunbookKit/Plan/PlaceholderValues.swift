/// The values given to a run's undeclared placeholders (`<namespace>`, `YOUR_TOKEN_HERE`, `${CLUSTER}`),
/// and the commands of a step with every placeholder filled in, shell-quoted for where it stands.
///
/// Each name is one question for the whole run, asked before the first step (with the params), for
/// the steps that will run. A declared param of the same name fills its placeholders with its value.
public struct PlaceholderValues: Sendable {
    /// One name's value and where it came from.
    public struct Value: Sendable {
        /// The param name the placeholder stands for (`NAMESPACE`).
        public var name: String
        /// The value, as given.
        public var value: String
        /// Whether the name looks like a secret's: never recorded, masked in output.
        public var secret: Bool
        /// `set` (--set), `journal` (the run being resumed), `prompt`, or `unset`: a `${NAME}` given no
        /// value, left to the environment (where nothing sets it).
        public var source: String
    }

    /// The values, in order of first use.
    public private(set) var values: [Value] = []
    /// Names whose `${NAME}` placeholders the runner's environment fills: they are left as written.
    public private(set) var fromEnvironment: Set<String> = []

    /// No values.
    public init() {}

    /// The value of `name`, when one was given.
    public func value(of name: String) -> Value? { values.first { $0.name == name } }

    /// Values of the secret-looking names (masked in every record).
    public var secretValues: [String] { values.filter(\.secret).map(\.value) }

    /// What `run_start` records: a secret-looking name without its value.
    public var recorded: [ParamValue] {
        values.map { ParamValue(name: $0.name, value: $0.secret ? nil : $0.value, secret: $0.secret, source: $0.source) }
    }

    /// The variable a secret-looking placeholder's value reaches the step in: secrets are never
    /// written into the step's code file, the code reads them from its environment.
    public static func variable(for name: String) -> String { "RUNBOOK_PLACEHOLDER_" + name }

    /// The environment a step gets for the secret-looking values.
    public var environment: [String: String] {
        Dictionary(values.filter(\.secret).map { (Self.variable(for: $0.name), $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    /// The placeholders of `step` that cannot be filled: no value (and no declared param), or a secret
    /// in a quoted heredoc (`<<'EOF'`), where only its text could stand.
    public func unfilled(in step: Step, params: [ResolvedParam] = []) -> [Placeholder] {
        step.placeholders.filter { replacement(for: $0, params: params) == nil && !fromEnvironment.contains($0.name) }
    }

    /// The step's commands with every placeholder filled; nil when one cannot be. A value is written
    /// shell-quoted for where it stands; a declared param, or a secret-looking value, as a quoted
    /// reference to its variable (`"${NAMESPACE}"`), so no secret is ever written into a file.
    public func commands(of step: Step, params: [ResolvedParam]) -> [String]? {
        guard var texts = step.commands?.map({ Array($0.text.utf8) }) else { return nil }
        // From the last to the first, so each offset still points where it did.
        for placeholder in step.placeholders.sorted(by: { ($0.command, $0.offset) > ($1.command, $1.offset) }) {
            if !placeholder.declared && (fromEnvironment.contains(placeholder.name) || value(of: placeholder.name)?.source == "unset") { continue }
            guard let replacement = replacement(for: placeholder, params: params), placeholder.command < texts.count else { return nil }
            let range = placeholder.offset..<(placeholder.offset + placeholder.length)
            guard range.upperBound <= texts[placeholder.command].count else { return nil }
            texts[placeholder.command].replaceSubrange(range, with: Array(replacement.utf8))
        }
        return texts.map { String(decoding: $0, as: UTF8.self) }
    }

    /// What stands in the placeholder's place, or nil when nothing can.
    private func replacement(for placeholder: Placeholder, params: [ResolvedParam]) -> String? {
        if placeholder.declared {
            guard let param = params.first(where: { $0.param.name == placeholder.name }) else { return nil }
            return Self.reference(placeholder.name, placeholder.quoting) ?? (param.param.secret ? nil : param.value)
        }
        guard let given = value(of: placeholder.name) else { return nil }
        guard given.secret else { return Self.quoted(given.value, placeholder.quoting) }
        return Self.reference(Self.variable(for: given.name), placeholder.quoting)
    }

    /// A reading of `$name` that is one word with the variable's exact value at a position quoted
    /// `quoting`; nil in a quoted heredoc, where nothing expands.
    public static func reference(_ name: String, _ quoting: PlaceholderQuoting) -> String? {
        switch quoting {
        case .none: return "\"${\(name)}\""
        case .single: return "'\"${\(name)}\"'"
        case .double, .heredoc: return "${\(name)}"
        case .literalHeredoc: return nil
        }
    }

    /// The step's code as it runs: a script's whole code, or a transcript's commands one after the
    /// other, with the placeholders filled in; nil when one has no value.
    public func code(of step: Step, params: [ResolvedParam]) -> String? {
        guard step.kind == .code else { return step.code }
        guard let commands = commands(of: step, params: params) else { return step.placeholders.isEmpty ? step.code : nil }
        if step.form == .transcript { return commands.map { $0 + "\n" }.joined() }
        if step.placeholders.isEmpty { return step.code }
        return (commands.first ?? "") + ((step.code ?? "").hasSuffix("\n") ? "\n" : "")
    }

    /// `value` written so the shell reads it as the same text at a position quoted `quoting`: one
    /// word outside quotes (`'my ns; x'`), the quote closed and reopened inside `'…'`, `"`, `\`, `$` and
    /// `` ` `` escaped inside `"…"` (quotes stay literal in a heredoc body), as is in a quoted heredoc.
    public static func quoted(_ value: String, _ quoting: PlaceholderQuoting) -> String {
        switch quoting {
        case .none: return "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
        case .single: return value.replacingOccurrences(of: "'", with: "'\\''")
        case .double: return escaped(value, ["\\", "\"", "$", "`"])
        case .heredoc: return escaped(value, ["\\", "$", "`"])
        case .literalHeredoc: return value
        }
    }

    private static func escaped(_ value: String, _ special: Set<Character>) -> String {
        var out = ""
        for character in value {
            if special.contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    mutating func add(_ value: Value) { values.append(value) }

    mutating func leaveToEnvironment(_ name: String) { fromEnvironment.insert(name) }
}
