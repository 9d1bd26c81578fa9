/// Console prompts as authors copy them into Markdown, recognised a line at a time.
enum ConsolePrompt {
    /// The length in bytes of a shell prompt at the start of `line`, leading blanks and the space after
    /// the prompt included, or nil when the line does not start with one. Shell prompts: `$ `, `$> `, a `$`
    /// alone, `PS> ` and `PS C:\dir> `, and the user-and-host forms `user@host:~$ `, `host:/srv# `,
    /// `[root@db1 ~]# `. A bare `# ` is not one: bash reads it as a comment.
    static func shellLength(_ line: ArraySlice<UInt8>) -> Int? {
        let start = line.startIndex
        var i = start
        while i < line.endIndex && (line[i] == 0x20 || line[i] == 0x09) { i += 1 }
        guard i < line.endIndex else { return nil }
        if line[i] == UInt8(ascii: "$") {
            var j = i + 1
            if j < line.endIndex && line[j] == UInt8(ascii: ">") { j += 1 }
            return afterPromptChar(line, j).map { $0 - start }
        }
        if let end = powerShell(line, i) ?? userHost(line, i) { return end - start }
        return nil
    }

    /// The index after the prompt: at the end of the line, or past the one space that ends the prompt.
    private static func afterPromptChar(_ line: ArraySlice<UInt8>, _ j: Int) -> Int? {
        if j == line.endIndex { return j }
        return line[j] == 0x20 ? j + 1 : nil
    }

    /// `PS> ` or `PS C:\Users\me> `.
    private static func powerShell(_ line: ArraySlice<UInt8>, _ i: Int) -> Int? {
        guard line[i...].starts(with: "PS".utf8) else { return nil }
        var j = i + 2
        if j < line.endIndex && line[j] == 0x20 {
            j += 1
            while j < line.endIndex && line[j] != UInt8(ascii: ">") && line[j] != 0x20 { j += 1 }
        }
        guard j < line.endIndex && line[j] == UInt8(ascii: ">") else { return nil }
        return afterPromptChar(line, j + 1)
    }

    /// `user@host:path$ `, `host:~# `, `[user@host dir]$ `: a prompt char after a token that names a host.
    private static func userHost(_ line: ArraySlice<UInt8>, _ i: Int) -> Int? {
        var j = i
        if line[i] == UInt8(ascii: "[") {
            guard let close = line[i...].firstIndex(of: UInt8(ascii: "]")), close - i <= 80 else { return nil }
            j = close + 1
        } else {
            var sawAt = false
            var sawColon = false
            while j < line.endIndex, isHostByte(line[j]) || line[j] == UInt8(ascii: "@") || (sawColon && isPathByte(line[j])) {
                if line[j] == UInt8(ascii: "@") { sawAt = true }
                j += 1
                if j < line.endIndex && line[j] == UInt8(ascii: ":") && !sawColon {
                    sawColon = true
                    j += 1
                }
            }
            guard sawAt || (sawColon && j > i), j - i >= 3 else { return nil }
        }
        guard j < line.endIndex, line[j] == UInt8(ascii: "$") || line[j] == UInt8(ascii: "#") else { return nil }
        return afterPromptChar(line, j + 1)
    }

    private static func isHostByte(_ b: UInt8) -> Bool {
        (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || (b >= 48 && b <= 57) || b == 45 || b == 46 || b == 95
    }

    private static func isPathByte(_ b: UInt8) -> Bool {
        isHostByte(b) || b == UInt8(ascii: "/") || b == UInt8(ascii: "~")
    }

    /// The length of another program's prompt at the start of `line` (`gpg> `, `pgbouncer=# `,
    /// `127.0.0.1:6379> `, `irb(main):001:0> `, `>>> `), or nil.
    static func foreignLength(_ line: ArraySlice<UInt8>) -> Int? {
        let start = line.startIndex
        var i = start
        while i < line.endIndex && (line[i] == 0x20 || line[i] == 0x09) { i += 1 }
        if line[i...].starts(with: ">>> ".utf8) { return i + 4 - start }
        let nameStart = i
        while i < line.endIndex, isHostByte(line[i]) || line[i] == UInt8(ascii: ":") || line[i] == UInt8(ascii: "(") || line[i] == UInt8(ascii: ")") {
            i += 1
        }
        guard i > nameStart, i < line.endIndex, let first = line[nameStart...].first, isHostByte(first) else { return nil }
        if line[i] == UInt8(ascii: "=") || line[i] == UInt8(ascii: "-") {
            i += 1
            guard i < line.endIndex, line[i] == UInt8(ascii: "#") || line[i] == UInt8(ascii: ">") else { return nil }
        } else if line[i] != UInt8(ascii: ">") {
            return nil
        }
        return afterPromptChar(line, i + 1).map { $0 - start }
    }

    /// The length of a `> ` continuation prompt (PS2) at the very start of `line`, or nil.
    static func continuationLength(_ line: ArraySlice<UInt8>) -> Int? {
        guard line.first == UInt8(ascii: ">") else { return nil }
        if line.count == 1 { return 1 }
        return line[line.startIndex + 1] == 0x20 ? 2 : nil
    }
}
