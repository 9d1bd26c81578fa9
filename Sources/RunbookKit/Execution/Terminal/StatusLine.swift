import CSupport

/// A status line on the terminal's bottom row while a step runs, kept out of the step's
/// output with a scroll region.
final class StatusLine {
    private let rows: Int32
    private let cols: Int32
    private let console: Console
    private var active = false

    init?(console: Console) {
        guard console.terminal.outputIsTerminal && console.style.enabled, let size = console.terminal.size() else { return nil }
        rows = size.rows
        cols = size.cols
        guard rows >= 5, cols >= 20 else { return nil }
        self.console = console
    }

    func begin(_ text: String) {
        // Make room, confine scrolling to rows 1…rows-1, keep the cursor inside.
        console.print("\n\u{1B}[1A\u{1B}7\u{1B}[1;\(rows - 1)r\u{1B}8")
        active = true
        update(text)
    }

    func update(_ text: String) {
        guard active else { return }
        let clipped = String(text.prefix(Int(cols) - 1))
        console.print("\u{1B}7\u{1B}[\(rows);1H\u{1B}[2K\u{1B}[7m\(clipped)\u{1B}[0m\u{1B}8")
    }

    func end() {
        guard active else { return }
        active = false
        console.print("\u{1B}7\u{1B}[\(rows);1H\u{1B}[2K\u{1B}[r\u{1B}8")
    }
}
