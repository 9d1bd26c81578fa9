import CSupport

/// How a running step's elapsed time is shown: a status line on a terminal with colours, plain
/// lines otherwise.
protocol StepProgress: AnyObject {
    /// The step starts.
    func begin(_ text: String)
    /// About once a second (and at once when the window is resized), with the text to show.
    func update(_ text: String)
    /// The step's output, about to be written to the screen.
    func willWrite(_ bytes: UnsafeRawBufferPointer)
    /// The step is over.
    func end()
}

/// The progress display for a step on this console: nil for an interactive step (it owns the screen).
func stepProgress(_ console: Console, interactive: Bool) -> (any StepProgress)? {
    if interactive { return nil }
    return StatusLine(console: console) ?? PlainProgress(console: console)
}

/// Without a status line (not a terminal, `NO_COLOR`, `TERM=dumb`, a tiny window) the elapsed time
/// comes as a plain line of its own — at 5 s, every 10 s up to a minute, then every minute — and
/// only between the step's output lines, never inside one (it waits for the line to end).
final class PlainProgress: StepProgress {
    private let console: Console
    private var atLineStart = true
    private var next = 5.0
    private var started: Double

    init(console: Console) {
        self.console = console
        started = monotonicNow()
    }

    func begin(_ text: String) {
        started = monotonicNow()
        next = 5
    }

    func update(_ text: String) {
        let elapsed = monotonicNow() - started
        guard elapsed >= next - 0.05, atLineStart else { return }
        console.print("· \(text)\n")
        next = next < 60 ? (next < 10 ? 10 : next + 10) : next + 60
    }

    func willWrite(_ bytes: UnsafeRawBufferPointer) {
        if let last = bytes.last { atLineStart = last == 0x0A }
    }

    func end() {}
}

/// A status line on the terminal's bottom row while a step runs, kept out of the step's
/// output with a scroll region.
///
/// The window may be resized while the step runs (a terminal resets its scroll region when it
/// is): before each status update and each chunk of output, the size is read again and, when it
/// changed, the stale status line is erased wherever it went, the scroll region is set for the new
/// size and the status line is drawn on the new last row. The cursor, where the step's output goes
/// on, is kept throughout.
final class StatusLine: StepProgress {
    /// Smaller windows get no status line.
    static let minimumRows: Int32 = 5
    static let minimumColumns: Int32 = 20

    private var rows: Int32
    private var cols: Int32
    private let console: Console
    private var active = false
    /// The region is set and the status line drawn (false while the window is too small).
    private var drawn = false
    private var text = ""

    init?(console: Console) {
        guard console.terminal.outputIsTerminal && console.style.enabled, let size = console.terminal.size() else { return nil }
        rows = size.rows
        cols = size.cols
        guard rows >= Self.minimumRows, cols >= Self.minimumColumns else { return nil }
        self.console = console
    }

    func begin(_ text: String) {
        // Make room, confine scrolling to rows 1…rows-1, keep the cursor inside.
        console.print("\n\u{1B}[1A\u{1B}7\u{1B}[1;\(rows - 1)r\u{1B}8")
        active = true
        drawn = true
        update(text)
    }

    func update(_ text: String) {
        guard active else { return }
        self.text = text
        followResize()
        draw()
    }

    /// The step's output is about to be written: follow a resize first.
    func willWrite(_ bytes: UnsafeRawBufferPointer) { followResize() }

    /// Reads the window's size; when it changed, lays the screen out again for it (see the type's comment).
    func followResize() {
        guard active, let size = console.terminal.size(), size.rows != rows || size.cols != cols else { return }
        rows = size.rows
        cols = size.cols
        // Full-screen region (written out: some terminals read a bare ESC[r as ESC[0r), cursor back; erase below it (the old status line, wherever the
        // resize left it); one free row at the bottom (IND scrolls only when the cursor is on the
        // last row; CUU comes back up, same column).
        var layout = "\u{1B}7\u{1B}[1;\(rows)r\u{1B}8\u{1B}[J"
        drawn = rows >= Self.minimumRows && cols >= Self.minimumColumns
        if drawn { layout += "\u{1B}D\u{1B}[1A\u{1B}7\u{1B}[1;\(rows - 1)r\u{1B}8" }
        console.print(layout)
        draw()
    }

    private func draw() {
        guard drawn else { return }
        let clipped = String(text.prefix(Int(cols) - 1))
        console.print("\u{1B}7\u{1B}[\(rows);1H\u{1B}[2K\u{1B}[7m\(clipped)\u{1B}[0m\u{1B}8")
    }

    func end() {
        guard active else { return }
        active = false
        clearAtEnd()
    }

    /// Clears the status line on the current last row and gives the whole window back to scrolling.
    private func clearAtEnd() {
        if let size = console.terminal.size() {
            rows = size.rows
            cols = size.cols
        }
        console.print("\u{1B}7\u{1B}[1;\(rows)r\u{1B}8\u{1B}7\u{1B}[\(rows);1H\u{1B}[2K\u{1B}8")
    }
}
