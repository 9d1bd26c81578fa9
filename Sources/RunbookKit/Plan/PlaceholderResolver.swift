/// Gives each undeclared placeholder of the steps that will run a value: `--set NAME=VALUE` first,
/// then the journal of the run being resumed (not for a secret-looking name), then one question
/// (hidden for a secret-looking name). A placeholder left without a value is an error naming its
/// step, file:line:column and the `--set` that fills it: such a step never runs.
public enum PlaceholderResolver {
    /// One question: a placeholder name, as first written, with the steps that hold it.
    public struct Question: Sendable {
        /// The param name (`POD_NAME`).
        public var name: String
        /// The placeholder as first written (`<pod-name>`).
        public var token: String
        /// Human words for the value.
        public var label: String
        /// Whether the value is hidden and never recorded.
        public var secret: Bool
        /// Keys of the steps to run that hold it, in file order.
        public var steps: [String]
        /// `file:line:column` of its first occurrence.
        public var position: String
        /// Every occurrence is a `${NAME}` reading, valid shell: an empty answer, or none, leaves it to
        /// the environment (unset) instead of stopping the run.
        public var optional: Bool
    }

    /// The steps a run with these selections reaches that could run code: code steps, not marked
    /// `skip` (unless `--only` names them), from `--from` on, or only those `--only` names. With
    /// `holdingPlaceholders`, only those of them with a placeholder (all that questions need: a
    /// long runbook's steps are not copied whole).
    public static func stepsToRun(_ runbook: Runbook, from: String?, only: [String], holdingPlaceholders: Bool = false) -> [Step] {
        let first = from.flatMap { key in runbook.steps.first { $0.key == key }?.number } ?? 1
        return runbook.steps.filter { step in
            guard step.kind == .code, !holdingPlaceholders || !step.placeholders.isEmpty else { return false }
            if !only.isEmpty { return only.contains(step.key) }
            return step.number >= first && !step.attributes.skip
        }
    }

    /// The questions for `steps`, one per undeclared name, in order of first occurrence; names whose
    /// every occurrence is a `${NAME}` the environment sets are left to it.
    public static func questions(_ steps: [Step], path: String, environment: [String: String]) -> (
        questions: [Question], fromEnvironment: Set<String>
    ) {
        var questions: [Question] = []
        var kinds: [String: Set<PlaceholderKind>] = [:]
        for step in steps {
            for placeholder in step.placeholders where !placeholder.declared {
                kinds[placeholder.name, default: []].insert(placeholder.kind)
                if let index = questions.firstIndex(where: { $0.name == placeholder.name }) {
                    if questions[index].steps.last != step.key { questions[index].steps.append(step.key) }
                    continue
                }
                questions.append(
                    Question(
                        name: placeholder.name, token: placeholder.token, label: placeholder.label, secret: placeholder.secret,
                        steps: [step.key], position: "\(path):\(placeholder.line):\(placeholder.column)", optional: false))
            }
        }
        for index in questions.indices { questions[index].optional = kinds[questions[index].name] == [.variable] }
        let fromEnvironment = Set(kinds.filter { $0.value == [.variable] && environment[$0.key] != nil }.keys)
        return (questions.filter { !fromEnvironment.contains($0.name) }, fromEnvironment)
    }

    /// Names `--set` may fill besides the declared params: every undeclared placeholder's.
    public static func names(_ runbook: Runbook) -> Set<String> {
        Set(runbook.placeholders.filter { !$0.declared }.map(\.name))
    }

    /// Resolves the placeholders of `steps`; every problem is collected, then thrown together.
    public static func resolve(
        _ steps: [Step], sets: [(String, String)], recorded: [ParamValue], environment: [String: String],
        prompt: ((Question) -> ParamResolver.PromptAnswer)?, path: String
    ) throws(ParamError) -> PlaceholderValues {
        let (questions, fromEnvironment) = Self.questions(steps, path: path, environment: environment)
        var values = PlaceholderValues()
        for name in fromEnvironment.sorted() { values.leaveToEnvironment(name) }
        var problems: [String] = []
        var toAsk: [Question] = []
        for question in questions {
            let recordedValue = recorded.first { $0.name == question.name && !$0.secret }?.value
            let found = sets.last { $0.0 == question.name }.map { ($0.1, "set") } ?? recordedValue.map { ($0, "journal") }
            guard let (value, source) = found else {
                toAsk.append(question)
                continue
            }
            if let problem = problem(with: value, for: question, steps: steps) { problems.append(problem) }
            values.add(PlaceholderValues.Value(name: question.name, value: value, secret: question.secret, source: source))
        }
        // Nothing is asked while a value already given is wrong.
        if !problems.isEmpty { throw ParamError(problems: problems) }
        for question in toAsk {
            switch prompt?(question) ?? .none {
            case .cancelled(let signal):
                throw ParamError(
                    problems: ["cancelled at the question for placeholder '\(question.token)'; nothing was run or recorded"], cancelledBy: signal)
            case .value(let value):
                if let problem = problem(with: value, for: question, steps: steps) { problems.append(problem) }
                values.add(PlaceholderValues.Value(name: question.name, value: value, secret: question.secret, source: value.isEmpty ? "unset" : "prompt"))
            case .none where question.optional:
                values.add(PlaceholderValues.Value(name: question.name, value: "", secret: question.secret, source: "unset"))
            case .none:
                problems.append(
                    "step '\(question.steps[0])' (\(question.position)) holds placeholder '\(question.token)' with no value, so it would never run; pass --set \(question.name)=VALUE, or run on a terminal to be asked"
                        + (question.steps.count > 1 ? " (steps \(question.steps.joined(separator: ", ")) use it)" : ""))
            }
        }
        if !problems.isEmpty { throw ParamError(problems: problems + ["nothing was run or recorded; give those values and run again"]) }
        return values
    }

    /// What is wrong with `value` for a placeholder: empty, a secret too short to mask, a line break
    /// where it would end a heredoc.
    public static func problem(with value: String, for question: Question, steps: [Step]) -> String? {
        let what = "placeholder '\(question.token)' (\(question.position))"
        if value.isEmpty { return question.optional ? nil : "\(what) is given an empty value; give the value it stands for" }
        if question.secret && value.utf8.count < ParamResolver.minimumSecretLength {
            return
                "\(what) looks like a secret's, and its value is \(byteCount(value.utf8.count)) long; secrets must be at least \(ParamResolver.minimumSecretLength) bytes so masking them cannot hide ordinary output. Use the real secret"
        }
        let inHeredoc = steps.contains { step in
            step.placeholders.contains { $0.name == question.name && ($0.quoting == .heredoc || $0.quoting == .literalHeredoc) }
        }
        let inQuotedHeredoc = steps.contains { step in step.placeholders.contains { $0.name == question.name && $0.quoting == .literalHeredoc } }
        if question.secret && inQuotedHeredoc {
            return
                "\(what) looks like a secret's and stands in a quoted heredoc (<<'EOF'), where its value would have to be written into the step's code file; unquote the heredoc's delimiter (<<EOF) so the step reads it from $\(PlaceholderValues.variable(for: question.name))"
        }
        if inHeredoc && value.contains("\n") { return "\(what) stands in a heredoc, where a line break in its value could end it; give one line" }
        if let risky = value.first(where: { Self.codeCharacters.contains($0) }),
            steps.contains(where: { step in step.placeholders.contains { $0.name == question.name && unprovable($0, in: step, secret: question.secret) } })
        {
            let shown = risky == "\n" ? "a line break" : "'\(risky)'"
            return
                "\(what) stands inside \"…\", a heredoc or $'…', where its value could be read as code (it holds \(shown): inside a $(…), a heredoc fed to a shell or $'…' the quoting cannot keep it one word); give a value without ; & | < > ( ) $ ` \\ \" ' or line breaks, or write the placeholder outside quotes in the runbook"
        }
        return nil
    }

    /// What can end a word or start a command where a value is written into the code.
    private static let codeCharacters: Set<Character> = ["\n", ";", "&", "|", "<", ">", "(", ")", "$", "`", "\\", "\"", "'"]

    /// Whether the quoting around `placeholder` cannot prove a value stays one word: inside `"…"`
    /// where the text before it opened a `$(…)` or backticks (the shell reads code there again);
    /// in a heredoc that is not data for `cat` or `tee` (it may be a script for another shell or
    /// program); inside `$'…'` (where `\'` does not end the quote). A secret is read from its
    /// variable, so only a heredoc can make it code.
    private static func unprovable(_ placeholder: Placeholder, in step: Step, secret: Bool) -> Bool {
        let text = step.commands.flatMap { $0.indices.contains(placeholder.command) ? Array($0[placeholder.command].text.utf8) : nil } ?? []
        let before = text.prefix(min(placeholder.offset, text.count))
        switch placeholder.quoting {
        case .heredoc, .literalHeredoc: return !feedsData(before)
        case .double: return !secret && substitutionOpen(before)
        case .single: return !secret && (step.code ?? "").contains("$'")
        case .none: return false
        }
    }

    /// Whether `text` (a command up to a placeholder inside `"…"`) leaves a `$(` or a backtick open
    /// after its last opening quote: then the placeholder stands in code, not in the quote.
    private static func substitutionOpen(_ text: ArraySlice<UInt8>) -> Bool {
        var stack: [UInt8] = []  // what is open: " ' ` (
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            let top = stack.last
            if top == UInt8(ascii: "'") {
                if c == UInt8(ascii: "'") { stack.removeLast() }
            } else if c == UInt8(ascii: "\\") {
                i += 1
            } else if c == UInt8(ascii: "$"), i + 1 < text.endIndex, text[i + 1] == UInt8(ascii: "(") {
                stack.append(UInt8(ascii: "("))
                i += 1
            } else if c == UInt8(ascii: "`") {
                if top == c { stack.removeLast() } else { stack.append(c) }
            } else if c == UInt8(ascii: "\"") {
                if top == c { stack.removeLast() } else { stack.append(c) }
            } else if c == UInt8(ascii: "'") && top != UInt8(ascii: "\"") {
                stack.append(c)
            } else if c == UInt8(ascii: ")") && top == UInt8(ascii: "(") {
                stack.removeLast()
            }
            i += 1
        }
        return stack.last != UInt8(ascii: "\"")
    }

    /// Whether the heredoc a placeholder stands in (the last `<<` before it) is written by `cat` or
    /// `tee`: data for a file, not code for another program.
    private static func feedsData(_ text: ArraySlice<UInt8>) -> Bool {
        let bytes = Array(text)
        guard let at = (0..<max(bytes.count - 1, 0)).last(where: { bytes[$0] == UInt8(ascii: "<") && bytes[$0 + 1] == UInt8(ascii: "<") }) else { return false }
        let lineStart = bytes[..<at].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        let words = String(decoding: bytes[lineStart..<at], as: UTF8.self).split(separator: " ")
        let command = words.first { $0 != "$" && $0 != "sudo" }.map(String.init) ?? ""
        return command == "cat" || command == "tee"
    }
}
