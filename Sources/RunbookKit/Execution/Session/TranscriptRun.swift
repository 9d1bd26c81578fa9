import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A console transcript step run command by command in one shell (so `cd` and variables carry from
/// one command to the next), each command's output shown and compared with what the runbook shows.
///
/// After each command the program prints an end marker, `RS runbook:<nonce>:<n> RS` and a line end
/// (RS is byte 0x1E; the nonce, 32 hex digits, is random per execution). The runner takes the markers out of the
/// output stream before it reaches the screen or the record, so both hold exactly what the commands
/// wrote, and learns from them where each command's output ends. Only the first bytes of each
/// command's output (a little more than the runbook shows, at most 64 KiB) are kept for the comparison:
/// memory stays flat. A difference is a note, never a failure.
final class TranscriptRun {
    private static let separator: UInt8 = 0x1E
    /// The most bytes of one command's output kept for the comparison.
    static let compareLimit = 64 * 1024

    let step: Step
    /// The commands as they run, placeholders filled in.
    let commands: [String]
    /// The program the shell runs: each command, then its end marker.
    let program: String
    private let path: String
    private let screen: Screen
    /// `RS runbook:<nonce>:`.
    private let markerHead: [UInt8]
    /// Bytes that may be the start of a marker split across reads.
    private var pending: [UInt8] = []
    /// Commands whose end marker has been seen.
    private(set) var finished = 0
    private var captured: [UInt8] = []
    private var capturedTotal = 0
    /// What the journal gets, as notes on the step (masked when written).
    private(set) var notes: [String] = []

    init(step: Step, commands: [String], path: String, screen: Screen) {
        self.step = step
        self.commands = commands
        self.path = path
        self.screen = screen
        var generator = SystemRandomNumberGenerator()
        let nonce = (0..<2).map { _ in
            let digits = String(generator.next(), radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
        let head = "runbook:\(nonce):"
        markerHead = [Self.separator] + Array(head.utf8)
        // A command whose status `expect-exit=` allows goes on to the next; another ends the shell with
        // it, as `set -e` would; the shell ends with the last command's status.
        let allowed = Set(step.attributes.expectExit).sorted()
        let goesOn = allowed.contains { $0 != 0 }
        let cases = allowed.map(String.init).joined(separator: "|")
        // printf writes RS from an escape, so the program's text (and an `xtrace` of it) holds no marker.
        program =
            commands.enumerated().map { index, command in
                let run =
                    goesOn
                    ? "__runbook_status=0\n{ \(command)\n} || __runbook_status=$?\ncase $__runbook_status in \(cases)) ;; *) exit $__runbook_status ;; esac\n"
                    : "\(command)\n"
                return run + "printf '\\036runbook:%s:%s\\036\\n' \(nonce) \(index + 1)\n"
            }.joined() + (goesOn ? "exit $__runbook_status\n" : "")
    }

    private var expected: [CodeCommand] { step.commands ?? [] }

    /// Shows the first command before the shell starts.
    func begin() { showHeader(0) }

    /// Takes a chunk of the step's output: what is not a marker goes to `forward`, unchanged.
    func feed(_ chunk: UnsafeRawBufferPointer, forward: (UnsafeRawBufferPointer) -> Void) {
        if pending.isEmpty, let base = chunk.baseAddress, memchr(base, Int32(Self.separator), chunk.count) == nil {
            emit(chunk, forward)
            return
        }
        let data = pending + Array(chunk)
        pending = []
        scan(data, atEnd: false, forward)
    }

    /// After the shell exited: flushes what was held back, compares the last command's output and
    /// says which command failed when the step did (`failed`), or that the shell left early.
    func finish(failed: Bool, forward: (UnsafeRawBufferPointer) -> Void) {
        let data = pending
        pending = []
        scan(data, atEnd: true, forward)
        guard finished < commands.count else { return }
        let index = finished
        compare(index)
        let position = "command \(index + 1) of \(commands.count) (\(path):\(expected[safe: index]?.line ?? step.line))"
        let rest = index + 1 < commands.count ? "; the commands after it did not run" : ""
        if failed {
            report(position + " failed" + rest, red: true)
        } else if !rest.isEmpty {
            report("the shell exited during " + position + rest, red: false)
        }
        finished = commands.count
    }

    private func scan(_ data: [UInt8], atEnd: Bool, _ forward: (UnsafeRawBufferPointer) -> Void) {
        var start = 0
        var i = 0
        while i < data.count {
            guard data[i] == Self.separator else {
                i += 1
                continue
            }
            switch match(data, at: i, atEnd: atEnd) {
            case .none:
                i += 1
            case .partial:
                data[start..<i].withUnsafeBytes { emit($0, forward) }
                pending = Array(data[i...])
                return
            case .marker(let number, let end):
                data[start..<i].withUnsafeBytes { emit($0, forward) }
                commandEnded(number)
                i = end
                start = end
            }
        }
        data[start...].withUnsafeBytes { emit($0, forward) }
    }

    private enum Match {
        case none
        case partial
        case marker(Int, end: Int)
    }

    /// Whether a marker starts at `i`: the head, digits, RS, then an optional CR and a LF.
    private func match(_ data: [UInt8], at i: Int, atEnd: Bool) -> Match {
        var j = i
        for byte in markerHead {
            guard j < data.count else { return atEnd ? .none : .partial }
            guard data[j] == byte else { return .none }
            j += 1
        }
        var number = 0
        let digitsStart = j
        while j < data.count, data[j] >= 48, data[j] <= 57, j - digitsStart < 6 {
            number = number * 10 + Int(data[j] - 48)
            j += 1
        }
        guard j < data.count else { return atEnd ? .none : .partial }
        guard j > digitsStart, data[j] == Self.separator else { return .none }
        j += 1
        if j < data.count, data[j] == 0x0D { j += 1 }
        guard j < data.count else { return atEnd ? .marker(number, end: j) : .partial }
        if data[j] == 0x0A { j += 1 }
        return .marker(number, end: j)
    }

    private func emit(_ bytes: UnsafeRawBufferPointer, _ forward: (UnsafeRawBufferPointer) -> Void) {
        guard !bytes.isEmpty else { return }
        forward(bytes)
        capturedTotal += bytes.count
        let room = min(Self.compareLimit, (expected[safe: finished]?.expectedOutput?.utf8.count ?? 0) + 4096) - captured.count
        if room > 0 { captured.append(contentsOf: bytes.prefix(room)) }
    }

    private func commandEnded(_ number: Int) {
        guard number == finished + 1, number <= commands.count else { return }
        compare(finished)
        finished = number
        if finished < commands.count { showHeader(finished) }
    }

    private func showHeader(_ index: Int) {
        guard index < commands.count else { return }
        let first = commands[index].split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let more = commands[index].contains("\n") ? " …" : ""
        screen.line(screen.style.dim("$ \(first)\(more)"))
    }

    /// Compares command `index`'s output with the runbook's and resets the capture.
    private func compare(_ index: Int) {
        defer {
            captured = []
            capturedTotal = 0
        }
        guard let command = expected[safe: index], let shown = command.expectedOutput, !shown.isEmpty else { return }
        let want = Self.lines(shown)
        let got = Self.lines(String(decoding: captured, as: UTF8.self))
        let cut = capturedTotal > captured.count
        guard want != got || cut else {
            screen.line(screen.style.dim("✔ output as the runbook shows"))
            return
        }
        let position = "command \(index + 1) of \(commands.count) (\(path):\(command.line))"
        let shownAt = "\(path):\(command.outputLine ?? command.line)"
        var difference: String
        if let line = (0..<min(want.count, got.count)).first(where: { want[$0] != got[$0] }) {
            difference = "first difference at line \(line + 1): the runbook shows '\(Self.clip(want[line]))', the command wrote '\(Self.clip(got[line]))'"
        } else if want.count > got.count {
            difference = "the command wrote \(got.count) line(s), the runbook shows \(want.count)"
        } else {
            difference = "the command wrote more than the runbook shows (\(capturedTotal) bytes, \(got.count)\(cut ? "+" : "") lines)"
        }
        difference = "output differs from the runbook's (\(shownAt)): " + difference
        screen.warn("≠ \(difference); the runbook shows:")
        for line in want.prefix(20) { screen.line(screen.style.dim("  │ ") + line) }
        if want.count > 20 { screen.line(screen.style.dim("  │ … (\(want.count - 20) more lines)")) }
        notes.append("\(position): \(difference) (a note, not a failure)")
    }

    private func report(_ text: String, red: Bool) {
        let style = screen.style
        screen.say(text, red ? { style.red($0) } : { style.yellow($0) })
        notes.append(text)
    }

    /// Lines to compare: CRs removed, trailing blanks cut, blank lines at either end dropped.
    static func lines(_ text: String) -> [String] {
        var lines = text.replacingOccurrences(of: "\r", with: "").split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        return lines
    }

    private static func clip(_ line: String) -> String { line.count > 100 ? line.prefix(100) + "…" : line }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
