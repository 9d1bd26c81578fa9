#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// ANSI styling that is on only for a terminal, never under `NO_COLOR` or `TERM=dumb`.
public struct Style: Sendable {
    /// Whether escape codes are written.
    public let enabled: Bool

    /// Plain text, no escape codes.
    public static let plain = Style(enabled: false)

    /// Colour for output written to `fd`, from the environment's rules.
    public static func forDescriptor(_ fd: Int32, environment: [String: String]) -> Style {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return .plain }
        if environment["TERM"] == "dumb" { return .plain }
        return Style(enabled: isatty(fd) == 1)
    }

    private func wrap(_ code: String, _ text: String) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    func bold(_ s: String) -> String { wrap("1", s) }
    func dim(_ s: String) -> String { wrap("2", s) }
    /// `s` in red (errors), or unchanged when styling is off.
    public func red(_ s: String) -> String { wrap("31", s) }
    func green(_ s: String) -> String { wrap("32", s) }
    func yellow(_ s: String) -> String { wrap("33", s) }
    func cyan(_ s: String) -> String { wrap("36", s) }
    func magenta(_ s: String) -> String { wrap("35", s) }
}
