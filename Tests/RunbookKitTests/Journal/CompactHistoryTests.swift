import Testing

@testable import RunbookKit

/// A run's records after its `run_start`, folded into a history.
private func history(_ body: [JournalRecord]) throws -> RunHistory {
    var start = JournalRecord(type: .runStart)
    start.runId = "r1"
    start.totalSteps = 2
    return try RunHistory(records: [start] + body)
}

private func record(_ type: RecordType, _ key: String, _ fill: (inout JournalRecord) -> Void = { _ in }) -> JournalRecord {
    var r = JournalRecord(type: type)
    r.key = key
    fill(&r)
    return r
}

/// The history's compact per-step records give back exactly what the journal said, ordinary or not.
@Suite("Compact per-step records")
struct CompactHistoryTests {
    @Test("a code hash comes back as written: 64 lowercase hex digits as bytes, anything else as it was")
    func codeHashes() throws {
        let hex = SHA256.hex("echo a\n")
        let upper = hex.uppercased()
        let h = try history([
            record(.stepStart, "a") { $0.codeSHA256 = hex },
            record(.stepStart, "b") { $0.codeSHA256 = upper },
            record(.stepStart, "c") { $0.codeSHA256 = "not a hash" },
            record(.stepStart, "d"),
        ])
        #expect(h.step("a")?.codeSHA256 == hex)
        #expect(h.step("b")?.codeSHA256 == upper)
        #expect(h.step("c")?.codeSHA256 == "not a hash")
        #expect(h.step("d")?.codeSHA256 == nil)
        #expect(h.step("e") == nil)
        #expect(h.keys == ["a", "b", "c", "d"])
        #expect(HexDigest(hex: hex)?.hex == hex)
        #expect(HexDigest(hex: upper) == nil)
        #expect(HexDigest(hex: String(hex.dropLast())) == nil)
    }

    @Test("attempts beyond 32 bits, statuses beyond the table's 255, exports kept through a failure")
    func outOfTheOrdinary() throws {
        var body: [JournalRecord] = [
            record(.stepStart, "big") { $0.attempt = 5_000_000_000 },
            record(.stepEnd, "big") { $0.status = "ok" },
        ]
        for i in 0..<300 {
            body.append(record(.stepStart, "s\(i)") { $0.attempt = 1 })
            body.append(record(.stepEnd, "s\(i)") { $0.status = "status-\(i)" })
        }
        let exported = [ExportedVariable(name: "X", value: "1", secret: false)]
        body += [
            record(.stepStart, "x"),
            record(.stepEnd, "x") {
                $0.status = "ok"
                $0.exports = exported
                $0.unset = ["Y"]
            },
            record(.stepStart, "x") { $0.attempt = 2 },
            record(.stepEnd, "x") {
                $0.status = "failed"
                $0.exports = []
            },
        ]
        let h = try history(body)
        #expect(h.step("big")?.attempts == 5_000_000_000)
        #expect(h.step("big")?.state == .completed(status: "ok"))
        #expect(h.step("s0")?.state == .failed(status: "status-0"))
        #expect(h.step("s299")?.state == .failed(status: "status-299"))
        #expect(h.step("x")?.state == .failed(status: "failed"))
        #expect(h.step("x")?.exports == exported)
        #expect(h.step("x")?.unset == ["Y"])
        #expect(h.step("x")?.attempts == 2)
        #expect(h.finishedCount == 1)
    }

    @Test("a skip after a failure finishes the step; a matched step takes over the finished one's state and variables")
    func skipAndMatch() throws {
        let hex = SHA256.hex("echo old\n")
        let exported = [ExportedVariable(name: "X", value: "1", secret: false)]
        let h = try history([
            record(.stepStart, "f"), record(.stepEnd, "f") { $0.status = "failed" },
            record(.decision, "f") { $0.choice = "skip" },
            record(.stepStart, "old") {
                $0.codeSHA256 = hex
                $0.attempt = 3
            },
            record(.stepEnd, "old") {
                $0.status = "ok"
                $0.exports = exported
            },
            record(.decision, "new") {
                $0.choice = "matched"
                $0.text = "old"
            },
            record(.stepStart, "open") { $0.outputOffset = 10 },
        ])
        #expect(h.step("f")?.state == .completed(status: "skipped"))
        let new = try #require(h.step("new"))
        #expect(new.state == .completed(status: "ok"))
        #expect(new.codeSHA256 == hex)
        #expect(new.exports == exported)
        #expect(new.attempts == 0)
        #expect(h.supersededKeys == ["old"])
        #expect(h.unknownStep?.key == "open")
        #expect(h.finishedCount == 2)
    }

    @Test("where an attempt's output ends: the first start after its own, with starts in a row at one place kept once")
    func outputEnds() throws {
        let h = try history([
            record(.stepStart, "a") { $0.outputOffset = 0 }, record(.stepEnd, "a") { $0.status = "ok" },
            record(.stepStart, "b") { $0.outputOffset = 0 }, record(.stepEnd, "b") { $0.status = "ok" },
            record(.stepStart, "c") { $0.outputOffset = 40 }, record(.stepEnd, "c") { $0.status = "ok" },
            record(.stepStart, "d") { $0.outputOffset = 40 },
        ])
        #expect(h.outputStarts == [0, 40])
        #expect(h.outputEnd(after: 0) == 40)
        #expect(h.outputEnd(after: 40) == nil)
        let unordered = try history([
            record(.stepStart, "a") { $0.outputOffset = 50 }, record(.stepStart, "b") { $0.outputOffset = 7 },
            record(.stepStart, "c") { $0.outputOffset = 20 },
        ])
        #expect(unordered.outputEnd(after: 7) == 20)
        #expect(unordered.outputEnd(after: 20) == 50)
    }

    @Test("many keys: each found again after the table of positions grew")
    func manyKeys() throws {
        let body = (0..<5_000).map { (i: Int) in record(.stepStart, "key-\(i)-with-a-long-name") { $0.attempt = i } }
        let h = try history(body)
        #expect(h.keys.count == 5_000)
        for i in stride(from: 0, to: 5_000, by: 97) { #expect(h.step("key-\(i)-with-a-long-name")?.attempts == i) }
    }

    @Test("the runner's ledger: outcomes beyond the status table, reasons and errors replaced, counts")
    func ledger() {
        var ledger = StepLedger(steps: 300)
        for number in 1...300 { ledger.setOutcome(number, "s\(number % 270)") }
        #expect(ledger.outcome(269) == "s269")
        #expect(ledger.outcome(270) == "s0")
        #expect(ledger.counts["s1"] == 2)
        #expect(ledger.counts["s269"] == 1)
        #expect(ledger.counts.count == 270)
        ledger.setReason(5, "because")
        ledger.recordEnd(5, durationMs: 12, exitCode: 3, signal: "TERM", error: "it failed")
        ledger.recordEnd(5, durationMs: 8, exitCode: nil, signal: nil, error: nil)
        #expect(ledger[5].durationMs == 20)
        #expect(ledger[5].lastExitCode == nil)
        #expect(ledger[5].signal == nil)
        #expect(ledger[5].reason == "because")
        #expect(ledger.outcome(301) == nil)
        ledger.setOutcome(302, "ok")
        #expect(ledger.outcome(302) == "ok")
        #expect(ledger.outcome(301) == nil)
        // 24 bytes a step; a time past 32 bits of milliseconds (49 days) is kept as that, never traps.
        #expect(MemoryLayout<StepLedger.Entry>.stride <= 24, "an entry is \(MemoryLayout<StepLedger.Entry>.stride) bytes")
        // An exit status outside 0–255 (not a process's) is kept whole, beside the box's texts.
        ledger.recordEnd(8, durationMs: 1, exitCode: 255, signal: nil, error: nil)
        #expect(ledger[8].lastExitCode == 255)
        ledger.setReason(8, "kept")
        ledger.recordEnd(8, durationMs: 1, exitCode: -1, signal: nil, error: nil)
        #expect(ledger[8].lastExitCode == -1 && ledger[8].reason == "kept")
        ledger.recordEnd(8, durationMs: 1, exitCode: 70_000, signal: "KILL", error: nil)
        #expect(ledger[8].lastExitCode == 70_000 && ledger[8].signal == "KILL" && ledger[8].reason == "kept")
        ledger.setOutcome(8, "failed")
        #expect(ledger[8].lastExitCode == 70_000)
        ledger.recordEnd(8, durationMs: 1, exitCode: 3, signal: nil, error: nil)
        #expect(ledger[8].lastExitCode == 3)
        ledger.recordEnd(7, durationMs: 1 << 40, exitCode: 0, signal: nil, error: nil)
        #expect(ledger[7].durationMs == Int(UInt32.max))
        ledger.setAttemptsBefore(7, 3)
        #expect(ledger[7].attemptsBefore == 3 && ledger[7].durationMs == Int(UInt32.max))
    }

    @Test("the ledger keeps one box for the same texts in a row, each step's own texts still its own")
    func ledgerSharesTexts() {
        var ledger = StepLedger(steps: 1_000)
        for number in 1...998 {
            ledger.setOutcome(number, "skipped")
            ledger.setReason(number, "not selected: before --from s-999")
        }
        ledger.setOutcome(999, "failed")
        ledger.recordEnd(999, durationMs: 5, exitCode: 1, signal: nil, error: "exit status 1")
        ledger.setOutcome(1_000, "skipped")
        ledger.setReason(1_000, "not selected: before --from s-999")
        #expect(ledger.sharesTexts(1, 998))
        #expect(ledger[998].reason == "not selected: before --from s-999")
        #expect(ledger[999].error == "exit status 1" && ledger[999].reason == nil)
        #expect(!ledger.sharesTexts(998, 999))
        // The same texts after others: a new box, the same reading.
        #expect(!ledger.sharesTexts(1, 1_000))
        #expect(ledger[1_000].reason == ledger[1].reason)
        // Replacing one step's reason leaves the others' as they were.
        ledger.setReason(500, "operator: not needed")
        #expect(ledger[500].reason == "operator: not needed")
        #expect(ledger[499].reason == "not selected: before --from s-999" && ledger[501].reason == ledger[499].reason)
        #expect(ledger.counts["skipped"] == 999)
    }
}
