/// What a terminal finally shows for bytes an `interactive` step wrote: carriage returns and
/// backspaces overwrite, `ESC[K` and `ESC[J` erase, cursor moves are followed, colours and other
/// escape sequences (CSI, OSC) are dropped. Each row with its trailing spaces cut, joined by LF.
///
/// A record keeps the raw bytes; exports show this rendering beside them, so a progress bar or a
/// password prompt reads as the operator saw it.
enum TerminalText {
    /// The final text of `bytes` (lossy UTF-8).
    static func render(_ bytes: [UInt8]) -> String {
        var screen = Grid()
        var scalars = String(decoding: bytes, as: UTF8.self).unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            switch scalar.value {
            case 0x0A: screen.newline()
            case 0x0D: screen.col = 0
            case 0x08: screen.col = max(0, screen.col - 1)
            case 0x09: screen.col = (screen.col / 8 + 1) * 8
            case 0x1B: screen.escape(&scalars)
            case 0x00..<0x20, 0x7F: break
            default: screen.put(Character(scalar))
            }
        }
        return screen.text
    }

    /// Rows of characters and a cursor.
    private struct Grid {
        var rows: [[Character]] = [[]]
        var row = 0
        var col = 0

        var text: String {
            var lines = rows.map { line in
                String(String(line).reversed().drop { $0 == " " }.reversed())
            }
            while lines.count > 1, lines.last?.isEmpty == true { lines.removeLast() }
            return lines.joined(separator: "\n")
        }

        mutating func newline() {
            row += 1
            col = 0
            ensureRow()
        }

        mutating func ensureRow() {
            while rows.count <= row { rows.append([]) }
        }

        mutating func put(_ c: Character) {
            ensureRow()
            while rows[row].count < col { rows[row].append(" ") }
            if col < rows[row].count { rows[row][col] = c } else { rows[row].append(c) }
            col += 1
        }

        /// An escape sequence: CSI (`ESC [` … final byte) is followed where it moves or erases;
        /// OSC (`ESC ]` … BEL or `ESC \`) and two-byte sequences are dropped.
        mutating func escape(_ scalars: inout String.UnicodeScalarView.Iterator) {
            guard let kind = scalars.next() else { return }
            if kind == "]" {
                while let s = scalars.next(), s.value != 0x07 {
                    if s.value == 0x1B {
                        _ = scalars.next()
                        break
                    }
                }
                return
            }
            guard kind == "[" else { return }
            var parameters = ""
            while let s = scalars.next() {
                if (0x40...0x7E).contains(s.value) {
                    csi(Character(s), parameters.split(separator: ";").map { Int($0.filter(\.isNumber)) ?? 0 })
                    return
                }
                parameters.unicodeScalars.append(s)
            }
        }

        private mutating func csi(_ final: Character, _ p: [Int]) {
            let n = max(1, p.first ?? 1)
            ensureRow()
            switch final {
            case "K":
                switch p.first ?? 0 {
                case 1: for i in 0..<min(col + 1, rows[row].count) { rows[row][i] = " " }
                case 2: rows[row] = []
                default: if col < rows[row].count { rows[row].removeSubrange(col...) }
                }
            case "J":
                if (p.first ?? 0) == 2 || (p.first ?? 0) == 3 {
                    rows = [[]]
                    row = 0
                    col = 0
                } else {
                    if col < rows[row].count { rows[row].removeSubrange(col...) }
                    rows.removeSubrange((row + 1)...)
                }
            case "A": row = max(0, row - n)
            case "B": row += n
            case "C": col += n
            case "D": col = max(0, col - n)
            case "G": col = max(0, n - 1)
            case "H", "f":
                row = max(0, (p.first ?? 1) - 1)
                col = max(0, (p.count > 1 ? p[1] : 1) - 1)
            default: break
            }
            ensureRow()
        }
    }
}
