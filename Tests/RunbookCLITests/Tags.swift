import Testing

extension Tag {
    /// Runs the built `runbook` binary (through pipes or a pseudo-terminal).
    @Tag static var endToEnd: Self
    /// Takes seconds: signals, timeouts, crashes at random points.
    @Tag static var slow: Self
}
