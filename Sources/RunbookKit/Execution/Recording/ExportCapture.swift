/// Reads back what a shell step exported: the wrapper's NUL-separated dump compared with the
/// environment the step was given.
enum ExportCapture {
    /// Names a step may not carry to the next one: the shell's own bookkeeping and runbook's variables.
    static let notCarried: Set<String> = [
        "_", "SHLVL", "PWD", "OLDPWD", StepCommand.envFileVariable, "RUNBOOK_RUN_ID",
        "RUNBOOK_STEP_KEY", "RUNBOOK_STEP_NUMBER", "RUNBOOK_FILE", "RUNBOOK_DIR",
    ]

    /// What changed.
    struct Changes {
        /// Variables set or changed, as recorded (secret ones without a value).
        var exports: [ExportedVariable] = []
        /// Their real values, for later steps.
        var values: [String: String] = [:]
        /// Variables the step unset.
        var unset: [String] = []
    }

    /// Compares the dump in `file` with `passed`. `wasCarried(name)` says whether a name came from
    /// an earlier step or the runner (only those are recorded as unset).
    static func read(
        _ file: String, passed: [String: String], masker: SecretMasker, secretNames: Set<String>,
        wasCarried: (String) -> Bool
    ) -> Changes {
        guard case .bytes(let bytes)? = try? readRegularFile(file, limit: 64 * 1024 * 1024) else { return Changes() }
        var after: [String: String] = [:]
        for entry in bytes.split(separator: 0, omittingEmptySubsequences: true) {
            guard let eq = entry.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = String(decoding: entry[entry.startIndex..<eq], as: UTF8.self)
            after[name] = String(decoding: entry[(eq + 1)...], as: UTF8.self)
        }
        var changes = Changes()
        for (name, value) in after.sorted(by: { $0.key < $1.key }) where !notCarried.contains(name) && !name.hasPrefix("BASH_FUNC_") {
            guard passed[name] != value else { continue }
            changes.values[name] = value
            let (masked, count) = masker.mask(value)
            let secret = secretNames.contains(name) || count > 0
            changes.exports.append(ExportedVariable(name: name, value: secret ? nil : masked, secret: secret))
        }
        for name in passed.keys.sorted() where after[name] == nil && !notCarried.contains(name) {
            if wasCarried(name) { changes.unset.append(name) }
        }
        return changes
    }
}
