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

    /// Languages whose code reads variables as `$NAME` / `${NAME}`.
    static let shellLike: Set<String> = ["bash", "sh", "zsh", "shell"]

    /// The interpreter for a fence language, or nil when blocks in it never run.
    static func interpreter(for language: String, shell: String) -> String? {
        guard let program = interpreters[language.lowercased()] else { return nil }
        return program.isEmpty ? shell : program
    }
}
