extension RunSession {
    /// The code `step` runs: its placeholders filled in (a transcript's commands one after the other);
    /// nil when a placeholder has no value, and then the step must not run.
    func runnableCode(_ step: Step) -> String? {
        plan.placeholderValues.code(of: step, params: plan.params)
    }

    /// A step that still holds a placeholder without a value never runs: say which, where and how to
    /// fill it, and pause the run there (everything recorded so far stays).
    func refuseUnfilled(_ step: Step) throws -> Flow {
        let missing = plan.placeholderValues.unfilled(in: step, params: plan.params)
        for placeholder in missing {
            let position = "step '\(step.key)' (\(runbook.path):\(placeholder.line):\(placeholder.column)) holds placeholder '\(placeholder.token)'"
            context.error(
                placeholder.declared
                    ? "\(position) for the secret param \(placeholder.name) in a quoted heredoc (<<'EOF'), where its value would have to be written into the step's code file, so it did not run; unquote the heredoc's delimiter (<<EOF) and write \"${\(placeholder.name)}\" there"
                    : "\(position) with no value, so it did not run; resume with --set \(placeholder.name)=VALUE")
        }
        let names = missing.map(\.token).joined(separator: ", ")
        return try pause(step, "placeholder \(names.isEmpty ? "value" : names) has no value")
    }

    /// The code shown before a step: placeholders filled in (a secret-looking one, like a declared
    /// param, as its variable), a transcript's commands after their prompts; in a rehearsal the params'
    /// values too. Nil: as written.
    func displayCode(_ step: Step) -> String? {
        let values = plan.placeholderValues
        var code = step.code
        let filled = step.placeholders.contains { $0.declared || !values.fromEnvironment.contains($0.name) }
        if filled, let commands = values.commands(of: step, params: plan.params) {
            code = step.form == .transcript ? commands.map { "$ \($0)\n" }.joined() : values.code(of: step, params: plan.params)
        }
        guard request.rehearsal else { return filled ? code : nil }
        return code.map { RehearsalChecks.displayCode($0, params: plan.params) }
    }

    /// The command-by-command run of a transcript step, unless the operator edited its code (the
    /// edited code runs as a script).
    func transcriptRun(_ step: Step, edited: CodeRef?) -> TranscriptRun? {
        guard edited == nil, step.form == .transcript, let commands = plan.placeholderValues.commands(of: step, params: plan.params) else {
            return nil
        }
        return TranscriptRun(step: step, commands: commands, path: runbook.path, screen: screen)
    }

    /// On resume: each placeholder value not taken from the journal is recorded in a note (a secret-looking
    /// one by name only), as a param given a new value is.
    func recordPlaceholderChanges(recorded: [ParamValue]) throws(JournalError) {
        for value in plan.placeholderValues.values where value.source != "journal" {
            let before = recorded.first { $0.name == value.name }
            guard value.secret || before?.value != value.value else { continue }
            var change = JournalRecord(type: .note)
            change.placeholders = [ParamValue(name: value.name, value: value.secret ? nil : value.value, secret: value.secret, source: value.source)]
            change.text =
                value.secret
                ? "secret-looking placeholder \(value.name) given again on resume (\(value.source))"
                : "placeholder \(value.name) is '\(value.value)' from here on (\(value.source)); it was '\(before?.value ?? "")'"
            try recorder.append(change)
        }
    }

    /// The header's line of placeholder values (a secret-looking one as `[secret]`, one left unset as such).
    func showPlaceholderValues() {
        let values = plan.placeholderValues.values
        guard !values.isEmpty else { return }
        let shown = values.map { value in
            "\(value.name)=" + (value.secret ? "[secret]" : value.source == "unset" ? "[unset]" : PlaceholderValues.quoted(value.value, .none))
        }
        // One value per word: a window too narrow for the list breaks it between values, never inside one.
        for text in screen.wrapped(shown, indent: "              ", first: "placeholders: ") { screen.line(text) }
    }
}
