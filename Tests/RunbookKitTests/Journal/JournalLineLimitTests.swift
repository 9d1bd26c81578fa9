import Foundation
import Testing

@testable import RunbookKit

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Journal line limit", .temporaryStateDirectory)
struct JournalLineLimitTests {
    private func writer() throws -> (JournalWriter, String) {
        let folder = try #require(TemporaryStateDirectory.current)
        let path = folder + "/journal.jsonl"
        let journal = try JournalWriter(creating: path, runId: "20261201T090000Z-0000beef", clock: SteppingClock())
        var start = JournalRecord(type: .runStart)
        start.runId = "20261201T090000Z-0000beef"
        try journal.append(start, sync: false)
        return (journal, path)
    }

    @Test("long free text is cut with a marker; the line stays under 64 KiB and the chain holds")
    func longTextCut() throws {
        let (journal, path) = try writer()
        var end = JournalRecord(type: .stepEnd)
        end.key = "k"
        end.error = String(repeating: "é", count: 60_000)
        end.reason = String(repeating: "r", count: 70_000)
        end.leftovers = (0..<3000).map { Leftover(pid: Int32($0 + 1), command: "worker-process") }
        let written = try journal.append(end, sync: false)
        #expect(written.jsonBytes().count <= JournalWriter.lineLimit)
        let verification = try JournalVerifier.verify(path: path)
        #expect(verification.problem == nil)
        let record = try #require(verification.records.last)
        #expect(record.error?.contains("[runbook: 115904 more bytes cut to keep the journal line under 64 KiB]") == true)
        #expect(record.error?.hasPrefix(String(repeating: "é", count: 2048)) == true)
        #expect(record.reason?.utf8.count ?? 0 < 4200)
        #expect(record.leftovers?.count == 101)
        #expect(record.leftovers?.last?.command.contains("2900 more processes killed") == true)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 64 * 1024 })
    }

    @Test("a record that cannot be cut to fit is refused before anything is written, and the journal goes on")
    func refusedRecordLeavesJournalUsable() throws {
        let (journal, path) = try writer()
        var note = JournalRecord(type: .note)
        note.params = [ParamValue(name: "HUGE", value: String(repeating: "v", count: 100_000), secret: false, source: "set")]
        #expect(throws: JournalError.self) { try journal.append(note, sync: false) }
        do { try journal.append(note, sync: false) } catch { #expect(error.message.contains("over the 64 KiB limit for a journal line")) }
        var ok = JournalRecord(type: .note)
        ok.text = "still writing"
        try journal.append(ok, sync: false)
        let verification = try JournalVerifier.verify(path: path)
        #expect(verification.problem == nil)
        #expect(verification.records.map(\.type) == [.runStart, .note])
    }

    @Test("text at the limit is kept as it is")
    func shortTextKept() {
        #expect(JournalRecord.cut(String(repeating: "a", count: 4096)) == String(repeating: "a", count: 4096))
        #expect(JournalRecord.cut(String(repeating: "a", count: 4097)).hasSuffix("[runbook: 1 more bytes cut to keep the journal line under 64 KiB]"))
    }
}
