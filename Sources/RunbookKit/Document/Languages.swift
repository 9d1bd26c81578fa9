/// Fence languages that make a code block a step, and the program that runs each.
public enum StepLanguages {
    /// Language (as written in the fence, lower-cased) → interpreter. `shell` uses the front matter's `shell`.
    public static let interpreters: [String: String] = [
        "bash": "bash", "sh": "sh", "zsh": "zsh", "shell": "",
        "python": "python3", "python3": "python3",
        "node": "node", "ruby": "ruby", "perl": "perl",
    ]

    /// Short names other tools give step languages (GitHub's highlighter reads ```py as Python), for
    /// a finding that says which name to write; blocks in them are not steps.
    static let aliases: [String: String] = ["py": "python", "py3": "python3", "js": "node", "javascript": "node", "rb": "ruby", "pl": "perl"]

    /// What `reference-with-attributes` says of a fenced block with attributes in a language that
    /// does not run: which language a common short name means, or, with no language before the
    /// braces, to write one (Pandoc's `{.bash}` names it as a class).
    static func neverRuns(_ info: InfoString) -> String {
        let languages = "(runnable languages: \(interpreters.keys.sorted().joined(separator: ", ")))"
        guard info.language.isEmpty else {
            let meant = aliases[info.language.lowercased()].map { "; '\(info.language)' is \($0): write \($0) to make it a step" } ?? ""
            return "block in language '\(info.language)' has step attributes but never runs \(languages)\(meant); it is shown as reference"
        }
        let pandoc = info.attributes.first { $0.key.hasPrefix(".") && $0.key.count > 1 }.map {
            "; '{\($0.key)}' is Pandoc's class form: write '\($0.key.dropFirst())' before the braces"
        }
        return
            "block with no language has step attributes but never runs; write its language before the braces, e.g. 'bash {id=x}' \(languages)\(pandoc ?? ""); it is shown as reference"
    }

    /// Languages whose code reads variables as `$NAME` / `${NAME}`.
    static let shellLike: Set<String> = ["bash", "sh", "zsh", "shell"]

    /// The interpreter for a fence language, or nil when blocks in it never run.
    static func interpreter(for language: String, shell: String) -> String? {
        guard let program = interpreters[language.lowercased()] else { return nil }
        return program.isEmpty ? shell : program
    }
}
