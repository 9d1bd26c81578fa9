import Foundation

/// The questions a run asks, with the keys each accepts and the help `?` prints.
enum Prompts {
    /// Before a code step.
    static let step = Prompt(
        "[r]un [s]kip [e]dit [n]ote [q]uit [a]bort [?] ", keys: ["r", "y", "s", "e", "n", "q", "a"],
        help: """
              r  run the step (y also runs)
              s  skip it (asks for a reason, recorded)
              e  edit the code in $EDITOR first (the edited code runs and is recorded beside the original)
              n  add a note to the record
              q  quit: pause the run; it stays resumable
              a  abort the run
            """)

    /// Before a code step whose code was folded to fit the window: `v` reads all of it.
    static let stepFolded = Prompt(
        "[r]un [s]kip [e]dit [v]iew [n]ote [q]uit [a]bort [?] ", keys: ["r", "y", "s", "e", "v", "n", "q", "a"],
        help: step.help.replacingOccurrences(
            of: "  n  add a note", with: "  v  read the whole code, page by page ($PAGER, else less, else here)\n  n  add a note"))

    /// After a code step failed.
    static let failure = Prompt(
        "step failed: [r]etry [s]kip [h]shell [n]ote [q]uit [a]bort [?] ", keys: ["r", "s", "h", "n", "q", "a"],
        help: """
              r  retry the step
              s  skip it (asks for a reason, recorded)
              h  open a shell with the run's environment, then come back here
              n  add a note to the record
              q  quit: pause the run; it stays resumable
              a  abort the run
            """)

    /// Before a manual step.
    static let manual = Prompt(
        "[d]one [s]kip [n]ote [q]uit [a]bort [?] ", keys: ["d", "y", "s", "n", "q", "a"],
        help: """
              d  done: you did it (y also works)
              s  skip it (asks for a reason, recorded)
              n  add a note to the record
              q  quit: pause the run; it stays resumable
              a  abort the run
            """)

    /// Resuming: a finished step whose code changed.
    static func changed(status: String) -> Prompt {
        Prompt(
            "[k]eep it as \(status) [r]e-run it [q]uit [?] ", keys: ["k", "r", "q"],
            help: "  k  keep the earlier result; the new code does not run\n  r  run the step again as it is now\n  q  quit: pause; nothing changes")
    }

    /// After `a`: an aborted run cannot be resumed.
    static let confirmAbort = Prompt(
        "abort the run? It ends here and cannot be resumed ([q]uit pauses it instead) [y]es [n]o [?] ", keys: ["y", "n"],
        help: "  y  abort: the run ends as aborted (exit 1)\n  n  go back to the question before")

    /// Ctrl-C at the prompt after a step that Ctrl-C stopped: it may have been meant for the step.
    static let confirmPause = Prompt(
        "pause the run? It stays resumable; Ctrl-C again pauses [y]es [n]o [?] ", keys: ["y", "n"],
        help: "  y  pause: nothing more runs; runbook resume continues it later (exit 5)\n  n  go back to the question before")

    /// Resuming: a step whose outcome was never recorded.
    static let unknownOutcome = Prompt(
        "outcome unknown: [r]e-run [d]one (it finished) [s]kip [h]shell [n]ote [q]uit [?] ", keys: ["r", "d", "s", "h", "n", "q"],
        help: """
              r  run it again
              d  you checked: it finished; record it as done
              s  skip it (asks for a reason)
              h  open a shell with the run's environment to check what it did, then come back here
              n  add a note to the record
              q  quit: pause; nothing changes
            """)

    /// Starting a run of a runbook that has an unfinished one.
    static let unfinished = Prompt(
        "[r]esume that run [n]ew run [q]uit [?] ", keys: ["r", "n", "q"],
        help: "  r  resume the unfinished run where it stopped\n  n  start a new run from the first step (the other stays unfinished)\n  q  quit: nothing runs")

    /// Resuming: a step with the same code as one that finished under another key.
    static func renamed(from: String, status: String) -> Prompt {
        Prompt(
            "[k]eep: it is '\(from)', \(status) [r]un it again [q]uit [?] ", keys: ["k", "r", "q"],
            help: "  k  it is the same step, renamed: keep its result; it does not run again\n  r  run it again\n  q  quit: pause; nothing changes")
    }

    /// Resuming: a step of the recorded runbook that is gone and never finished.
    static let removed = Prompt(
        "step removed from the runbook: [r]emove it from this run [q]uit [?] ", keys: ["r", "q"],
        help: "  r  record that it is removed: the run can complete without it\n  q  quit: pause; put it back in the runbook, or decide later")
}

/// One question: its text, the keys it accepts, its help.
struct Prompt {
    let text: String
    let keys: [Character]
    let help: String

    init(_ text: String, keys: [Character], help: String) {
        self.text = text
        self.keys = keys
        self.help = help
    }
}

extension Console {
    /// Asks `prompt` (in bold), broken between words to fit the window (an 80-column pane),
    /// later lines indented; the cursor waits after its last word. Piped, it is one line.
    func ask(_ prompt: Prompt) -> Answer {
        var text = messageLines("", prompt.text, width: wrapWidth)
        if text.hasSuffix("\n") { text.removeLast() }
        let shown = text.split(separator: "\n", omittingEmptySubsequences: false).map { style.bold(String($0)) }.joined(separator: "\n")
        return ask(shown, keys: prompt.keys, help: prompt.help)
    }

    /// The text after the answer key (`skip not needed`), or asks for it until it is not empty;
    /// nil at the end of input.
    func reason(_ rest: String, prompt: String) -> String? {
        if !rest.isEmpty { return rest }
        while true {
            guard case .key(_, let text) = readText(prompt) else { return nil }
            let trimmed = text.trimmingSpaces()
            if !trimmed.isEmpty { return trimmed }
            print(style.yellow("a reason is required") + "\n")
        }
    }

    /// Asks for a param's value (secrets without echo). On a terminal each value is checked as it
    /// is typed (required, a secret's length, the pattern) and asked again when it is wrong. When the
    /// description and the pattern would not fit on the prompt's line with room to type, they come
    /// first, on lines of their own broken between words, and the prompt after them is short.
    func value(for param: Param, path: String) -> ParamResolver.PromptAnswer {
        var head = "param \(style.cyan(param.name))"
        var headWidth = "param \(param.name)".count  // as the terminal shows it, without the colour
        if param.required {
            head += " (required)"
            headWidth += " (required)".count
        }
        // In words when the pattern is a simple one; the pattern itself otherwise (and for the exact rule).
        let rule = param.pattern.map { pattern in PatternWords.describe(pattern).map { "[\($0)]" } ?? "[must match \(pattern)]" }
        let end = param.secret ? " (hidden): " : ": "
        let aboutWidth = (param.description.map { $0.count + 3 } ?? 0) + (rule.map { $0.count + 1 } ?? 0)
        var prompt = head
        // Room for 16 typed characters after the prompt, or the description goes above it.
        if let width = terminal.outputIsTerminal ? terminal.size().map({ Int($0.cols) }) : nil, width >= 20,
            headWidth + aboutWidth + end.count + 16 > width
        {
            func words(_ text: String) -> [String] { text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init) }
            for line in wrapWords(words(param.description ?? ""), width: width - 3) where !line.isEmpty { print("  " + line + "\n") }
            for line in wrapWords(words(rule ?? ""), width: width - 3) where !line.isEmpty { print(style.dim("  " + line) + "\n") }
        } else {
            if let d = param.description { prompt += " — \(d)" }
            if let rule { prompt += style.dim(" " + rule) }
        }
        prompt += end
        return readChecked(prompt, secret: param.secret) { ParamResolver.problem(with: $0, for: param, path: path) }
    }
}
