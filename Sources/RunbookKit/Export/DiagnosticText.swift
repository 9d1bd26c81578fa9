/// Renders diagnostics like a compiler: `FILE:LINE:COL: error: text`.
public enum DiagnosticText {
    /// One finding as a single line without a line end, its location bold and its severity coloured.
    public static func render(_ d: Diagnostic, style: Style) -> String {
        let severity = d.severity == .error ? style.red("error") : style.yellow("warning")
        return style.bold("\(d.path):\(d.line):\(d.column):") + " \(severity): \(d.message)"
    }
}
