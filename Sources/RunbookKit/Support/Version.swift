/// The version of the runbook engine and tool.
public enum RunbookVersion {
    /// The semantic version printed by `runbook --version`.
    public static let string = "0.1.0"
}
