import Foundation
import Testing

@testable import RunbookKit

/// The fast journal-line reader against JSONDecoder: whenever it reads a line, it reads what
/// JSONDecoder reads; it may give up on a line (JSONDecoder then judges it), never disagree.
@Suite("Journal line parser")
struct JournalLineParserTests {
    /// The lines of the scripted session's journal and the record with every field.
    private func writerLines() throws -> [[UInt8]] {
        let golden = try Fixtures.bytes("session-journal.golden")
        var lines = golden.split(separator: 0x0A).map(Array.init)
        lines.append(JournalEncodingTests.fullRecord().jsonBytes())
        var long = JournalRecord(type: .note)
        long.text = String(repeating: "quote \" back \\ slash / tab \t é ✓ \u{7F} \u{1F600} ", count: 50)
        lines.append(long.jsonBytes())
        var rehearsal = JournalRecord(type: .stepEnd)
        rehearsal.findings = ["warning: 'frobnicate' is not on PATH here", "error: syntax"]
        lines.append(rehearsal.jsonBytes())
        return lines
    }

    private func agrees(_ line: [UInt8]) -> Bool {
        guard let fast = JournalLineParser.parse(line[...]) else { return true }
        guard let slow = try? JSONDecoder().decode(JournalRecord.self, from: Data(line)) else { return false }
        return fast == slow
    }

    @Test("every line the writer writes is read by the fast path, exactly as JSONDecoder reads it")
    func writerForm() throws {
        for line in try writerLines() {
            let fast = JournalLineParser.parse(line[...])
            #expect(fast != nil, "fast path gave up on \(String(decoding: line, as: UTF8.self))")
            #expect(fast == (try? JSONDecoder().decode(JournalRecord.self, from: Data(line))))
        }
        #expect(JournalLineParser.parse(JournalEncodingTests.fullRecord().jsonBytes()[...]) == JournalEncodingTests.fullRecord())
    }

    @Test("every prefix of every line: the fast path never reads what JSONDecoder rejects")
    func prefixes() throws {
        for line in try writerLines() {
            for end in 0..<line.count where !agrees(Array(line[0..<end])) {
                Issue.record("disagrees on prefix \(String(decoding: line[0..<end], as: UTF8.self))")
            }
        }
    }

    @Test("single-byte changes anywhere: never a disagreement")
    func byteChanges() throws {
        var generator = SystemRandomNumberGenerator()
        let replacements: [UInt8] = Array(" \"\\{}[],:0123456789.eE-+tfnul/".utf8) + [0x00, 0x0A, 0x7F, 0x80, 0xC3, 0xFF]
        for line in try writerLines() {
            for _ in 0..<300 {
                var changed = line
                let at = Int.random(in: 0..<changed.count, using: &generator)
                changed[at] = replacements.randomElement(using: &generator) ?? 0x20
                if !agrees(changed) { Issue.record("disagrees on \(String(decoding: changed, as: UTF8.self))") }
            }
        }
    }

    @Test(
        "unusual but valid JSON is left to JSONDecoder",
        arguments: [
            #"{"prev":"p","seq":1,"ts":"t","type":"note","v":1,"text":null}"#,
            #"{"prev":"p","seq":1.0,"ts":"t","type":"note","v":1}"#,
            #"{"prev":"p","seq":1e0,"ts":"t","type":"note","v":1}"#,
            #"{ "prev":"p","seq":1,"ts":"t","type":"note","v":1}"#,
            #"{"prev":"p","seq":1,"ts":"t","type":"note","v":1,"future_field":[1,{"a":null}]}"#,
            #"{"prev":"p","seq":1,"ts":"t","type":"note","v":1,"text":"\ud83d\ude00"}"#,
            #"{"prev":"p","seq":1,"ts":"t","type":"note","v":1,"t\u0065xt":"x"}"#,
            #"{"prev":"p","seq":1,"ts":"t","type":"note","v":1,"seq":2}"#,
            #"{"prev":"p","seq":1,"ts":"t","type":"note","v":1} "#,
            #"{"prev":"p","seq":99999999999999999999,"ts":"t","type":"note","v":1}"#,
            #"{"prev":"p","seq":1,"ts":"t","type":"nope","v":1}"#,
            #"{"prev":"p","seq":1,"ts":"t","type":"note"}"#,
            #"{"pid":2147483648,"prev":"p","seq":1,"ts":"t","type":"note","v":1}"#,
            #"{"prev":"p","seq":-0,"ts":"t","type":"note","v":1}"#,
            #"{"prev":"p","seq":01,"ts":"t","type":"note","v":1}"#,
        ])
    func unusual(_ text: String) {
        #expect(agrees(Array(text.utf8)))
    }
}
