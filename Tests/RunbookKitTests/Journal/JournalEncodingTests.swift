import Foundation
import Testing

@testable import RunbookKit

@Suite("Journal encoding")
struct JournalEncodingTests {
    static func fullRecord() -> JournalRecord {
        var r = JournalRecord(type: .stepEnd)
        r.seq = 7
        r.ts = "2026-11-26T10:00:00.000Z"
        r.prev = String(repeating: "a", count: 64)
        r.runId = "20261126T100000Z-00ff00ff"
        r.runbook = RunbookRef(path: "runbooks/x.md", realpath: "/srv/runbooks/x.md", sha256: "b", bytes: 12, snapshot: "runbook.md")
        r.operatorName = "alice"
        r.host = "h1"
        r.mode = "live"
        r.params = [
            ParamValue(name: "TAG", value: "v1 \"quoted\" \\ back/slash", secret: false, source: "set"),
            ParamValue(name: "KEY", value: nil, secret: true, source: "env"),
        ]
        r.placeholders = [
            ParamValue(name: "NAMESPACE", value: "my ns; echo \"x\"", secret: false, source: "prompt"),
            ParamValue(name: "TOKEN", value: nil, secret: true, source: "set"),
        ]
        r.incident = "INC-1"
        r.totalSteps = 3
        r.tool = "runbook 0.1.0"
        r.pid = 42
        r.bootId = "boot"
        r.key = "deploy/x#1"
        r.number = 2
        r.kind = "code"
        r.line = 10
        r.attempt = 1
        r.codeSHA256 = "c"
        r.editedCode = CodeRef(file: "code/2.sh", sha256: "d")
        r.interpreter = "bash"
        r.interactive = true
        r.pgid = 43
        r.starttime = 123_456_789
        r.status = "ok"
        r.exitCode = 0
        r.signal = "TERM"
        r.durationMs = 15
        r.timedOut = false
        r.signalsSent = ["TERM", "KILL"]
        r.output = OutputRef(file: "out/3.log", sha256: "e", bytesTotal: 10, bytesKept: 10, bytesDropped: 0, truncated: false, masked: 1)
        r.leftovers = [Leftover(pid: 9, command: "sleep")]
        r.exports = [
            ExportedVariable(name: "A", value: "line1\nline2\ttab\r\u{01}é✓", secret: false),
            ExportedVariable(name: "B", value: nil, secret: true),
        ]
        r.unset = ["C"]
        r.error = "none"
        r.findings = ["its rehearse-for block (line 9) failed (exit 3)", "warning: 'jq' is not on PATH here"]
        r.rehearsedBy = "rehearse-for"
        r.choice = "skip"
        r.reason = "because"
        r.text = "note"
        r.counts = ["ok": 2, "failed": 1, "done": 3]
        r.exitStatus = 0
        return r
    }

    @Test("the hand-written encoder produces Foundation's sorted-keys JSON byte for byte, and it decodes back")
    func matchesFoundation() throws {
        let record = Self.fullRecord()
        let ours = record.jsonBytes()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let foundation = Array(try encoder.encode(record))
        #expect(String(decoding: ours, as: UTF8.self) == String(decoding: foundation, as: UTF8.self))
        let decoded = try JSONDecoder().decode(JournalRecord.self, from: Data(ours))
        #expect(decoded == record)
        #expect(!ours.contains(0x0A))
    }

    @Test("a minimal record carries only the common fields")
    func minimal() {
        var r = JournalRecord(type: .note)
        r.seq = 1
        r.ts = "t"
        r.prev = "p"
        #expect(String(decoding: r.jsonBytes(), as: UTF8.self) == #"{"prev":"p","seq":1,"ts":"t","type":"note","v":2}"#)
    }
}
