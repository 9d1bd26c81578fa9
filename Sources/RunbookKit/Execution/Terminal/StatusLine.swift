import CSupport

/// A status line on the terminal's bottom row while a step runs, kept out of the step's
/// output with a scroll region.
///
/// The window may be resized while the step runs (a terminal resets its scroll region when it
/// is): before each status update and each chunk of output, the size is read again and, when it
/// changed, the stale status line is erased wherever it went, the scroll region is set for the new
/// size and the status line is drawn on the new last row. The cursor, where the step's output goes
/// on, is kept throughout.
final class StatusLine {
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
