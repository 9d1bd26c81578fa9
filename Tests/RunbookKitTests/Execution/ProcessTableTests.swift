import Foundation
import Testing

@testable import RunbookKit

#if canImport(Glibc)
    import Glibc
#endif

/// /proc/<pid>/stat read as bytes: what the runner records of every step it starts (its start
/// time, so a resume can tell the same process from a reused pid) and reads of every process when
/// it looks for leftovers.
@Suite("The process table")
struct ProcessTableTests {
    private func parse(_ line: String) -> ProcessEntry? {
        var bytes = Array(line.utf8)
        return bytes.withUnsafeMutableBufferPointer { ProcessTable.parse(UnsafeBufferPointer($0), pid: 4242) }
    }

    /// A stat line of 52 fields with `command` and the given fields after it (the rest zeros).
    private func line(command: String, state: String = "S", ppid: String = "1", pgrp: String = "4242", session: String = "4242", start: String = "123456")
        -> String
    {
        var after = [state, ppid, pgrp, session] + Array(repeating: "0", count: 15) + [start] + Array(repeating: "0", count: 30)
        after[4] = "34816"  // tty_nr
        return "4242 (\(command)) " + after.joined(separator: " ") + "\n"
    }

    @Test("this process's own entry agrees with the system calls")
    func ownEntry() throws {
        let me = try #require(ProcessTable.entry(getpid()))
        #expect(me.pid == getpid() && me.ppid == getppid() && me.pgrp == getpgrp() && me.session == getsid(0))
        #expect("RS".contains(me.state), "the main thread of the tests runs or sleeps: \(me.state)")
        #expect(me.starttime > 0)
        #expect(ProcessTable.entry(getpid())?.starttime == me.starttime, "the start time does not move")
        #expect(ProcessTable.all().contains { $0.pid == getpid() && $0.starttime == me.starttime })
    }

    @Test("a command holding spaces and parentheses: fields are counted from the last parenthesis")
    func oddCommand() throws {
        let entry = try #require(parse(line(command: "a) b (c", state: "Z", ppid: "77", pgrp: "88", session: "99", start: "18446744073709551615")))
        #expect(entry.command == "a) b (c")
        #expect(entry.state == "Z" && entry.ppid == 77 && entry.pgrp == 88 && entry.session == 99)
        #expect(entry.starttime == UInt64.max)
        #expect(parse(line(command: "bash"))?.starttime == 123456)
    }

    @Test(
        "a line that is cut short, has no command, or a field that is no number is no entry",
        arguments: [
            "4242 (bash) S 1 4242 4242 0 0 0\n",
            "4242 bash S 1 4242 4242\n",
            "4242 (bash)\n",
            "4242 (bash) \n",
            "4242 (bash)",
            "4242 (bash) S\n1 4242 4242 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 123 0\n",
            "",
        ]
    )
    func malformed(text: String) {
        #expect(parse(text) == nil, "\(text)")
    }

    @Test("a number field that is not a number, or too large for its type, makes no entry")
    func badNumbers() {
        #expect(parse(line(command: "x", ppid: "-1")) == nil)
        #expect(parse(line(command: "x", pgrp: "12a")) == nil)
        #expect(parse(line(command: "x", session: "4294967296")) == nil, "a session past 32 bits")
        #expect(parse(line(command: "x", start: "18446744073709551616")) == nil, "a start time past 64 bits")
    }
}
