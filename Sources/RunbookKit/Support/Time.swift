#if canImport(Glibc)
    import Glibc
#endif

/// A moment on the wall clock, in whole microseconds since 1970 (UTC).
public struct WallTime: Sendable, Equatable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var seconds: Int
    /// Microseconds into that second.
    public var microseconds: Int

    /// A moment from seconds and microseconds.
    public init(seconds: Int, microseconds: Int) {
        self.seconds = seconds
        self.microseconds = microseconds
    }
}

/// `2026-11-26T09:30:00.123Z` for a moment.
public func isoTimestamp(_ time: WallTime) -> String {
    var seconds = time_t(time.seconds)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
    let ms = time.microseconds / 1000
    let msText = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
    return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(msText)Z"
}

/// Seconds on the monotonic clock (deadlines inside the engine; recorded durations use the context's clock).
public func monotonicNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
