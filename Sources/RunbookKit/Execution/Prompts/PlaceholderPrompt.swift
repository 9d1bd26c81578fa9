extension Console {
    /// Asks once for a placeholder's value, for every step that holds it (hidden for a secret-looking
    /// name). On a terminal a wrong value (empty, a short secret) is refused and asked again.
    func value(for question: PlaceholderResolver.Question, steps: [Step]) -> ParamResolver.PromptAnswer {
        var prompt = "value for \(question.token) (" + style.cyan(question.name)
        if question.label.lowercased() != question.name.lowercased() { prompt += ": \(question.label)" }
        let users = question.steps.count == 1 ? "step \(question.steps[0])" : "steps \(question.steps.joined(separator: ", "))"
        prompt += style.dim("; \(users); first at \(question.position)") + ")"
        if question.optional { prompt += style.dim(" [empty: leave it unset]") }
        prompt += question.secret ? " (secret, hidden): " : ": "
        return readChecked(prompt, secret: question.secret) { PlaceholderResolver.problem(with: $0, for: question, steps: steps) }
    }

    /// Reads a value; on a terminal one `problem` finds is shown and the value asked again (Ctrl-C
    /// cancels). Piped answers are taken as they are and checked by the caller.
    func readChecked(_ prompt: String, secret: Bool, problem: (String) -> String?) -> ParamResolver.PromptAnswer {
        var notice: String?
        while true {
            switch readText(prompt, secret: secret, notice: notice) {
            case .key(_, let value):
                if source == .terminal, let found = problem(value) {
                    // Broken between words to fit the window, later lines indented (piped: one line).
                    notice = style.yellow(messageLines("", found + "; try again (Ctrl-C cancels the run)", width: wrapWidth))
                    continue
                }
                return .value(value)
            case .signal(let s):
                return .cancelled(s)
            default:
                return .none
            }
        }
    }
}
