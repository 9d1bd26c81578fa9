#if canImport(Glibc)
    import Glibc
#endif

/// Terminal modes for prompts and interactive steps; every change is undone by `restore`.
enum Terminal {
    /// Puts `fd` in raw mode (one key at a time, no echo, no signals from keys) but keeps output
    /// post-processing so `\n` still starts a new line. Returns the old mode, or nil if not a terminal.
    static func makeRaw(_ fd: Int32) -> termios? {
        var original = termios()
        guard tcgetattr(fd, &original) == 0 else { return nil }
        var raw = original
        cfmakeraw(&raw)
        raw.c_oflag |= tcflag_t(OPOST | ONLCR)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        _ = tcsetattr(fd, TCSADRAIN, &raw)
        return original
    }

    /// Turns echo off (for secrets), keeping line editing. Returns the old mode.
    static func noEcho(_ fd: Int32) -> termios? {
        var original = termios()
        guard tcgetattr(fd, &original) == 0 else { return nil }
        var quiet = original
        quiet.c_lflag &= ~tcflag_t(ECHO)
        _ = tcsetattr(fd, TCSADRAIN, &quiet)
        return original
    }

    static func restore(_ fd: Int32, _ mode: termios) {
        var mode = mode
        _ = tcsetattr(fd, TCSADRAIN, &mode)
    }
}
