import Foundation
import Testing

@testable import RunbookKit

private let runbookText = """
    ---
    title: Rotate the cache
    params:
      REGION:
        default: eu-west-1
    ---

    # Rotate the cache

    ## Before you start

    - [ ] Announce the rotation in #ops {id=announce}

    ## Check

    ```bash {id=check}
    echo "region $REGION"
    ```

    ## Flush

    ```bash {id=flush retries=1}
    test -f ready
    ```

    ## Confirm

    ```bash {id=confirm}
    echo done
    ```

    """

@Suite("Run export (hand-written journals)", .temporaryStateDirectory)
struct RunExportTests {
    /// A run: announce done, check ok, flush failed then edited and ok, confirm not run.
    private func retriedRun(end: Bool = true) throws -> RunFixture {
        let run = try RunFixture(runbook: runbookText, params: [ParamValue(name: "REGION", value: "eu-west-1", secret: false, source: "default")])
        try run.manualDone("announce", number: 1)
        try run.attempt("check", number: 2, status: "ok", exit: 0, output: "region eu-west-1\n")
        try run.attempt("flush", number: 3, status: "failed", exit: 1, output: "no ready file\n")
        try run.append(.note) {
            $0.key = "flush"
            $0.text = "the flag file is *missing* | see <ticket>"
        }
        try run.attempt("flush", number: 3, attempt: 2, status: "ok", exit: 0, output: "", edited: ("code/flush-edited-1.sh", "test -f ready || true\n"))
        if end { try run.end("completed", exit: 0) }
        return run
    }

    @Test("the fold keeps every attempt, the note, the edited code and who ended each step when")
    func fold() throws {
        let export = try retriedRun().load()
        let steps = export.allSteps
        #expect(steps.map(\.key) == ["announce", "check", "flush", "confirm"])
        #expect(steps.map(\.status.outcome) == ["done", "ok", "ok", "not_run"])
        #expect(export.outcomes == ["done", "ok", "ok", "not_run"])
        let flush = try #require(steps.first { $0.key == "flush" })
        #expect(flush.attempts.map(\.status) == ["failed", "ok"])
        #expect(flush.attempts.map(\.exitCode) == [1, 0])
        #expect(flush.attempts[1].editedCode?.file == "code/flush-edited-1.sh")
        #expect(flush.status.events.map(\.text) == ["the flag file is *missing* | see <ticket>"])
        #expect(flush.who == "oncall@ops-1")
        #expect(flush.section == "Flush")
        #expect(export.run.state == "completed")
        #expect(export.run.incident == "INC-7")
        #expect(export.journal.ok && export.damage.isEmpty)
        #expect(export.journal.records == 12)
    }

    @Test("markdown: the runbook copy, front matter left out, each step ticked or not, the edit as a diff, text from the journal escaped")
    func markdown() throws {
        let export = try retriedRun().load()
        let text = try export.rendered(.markdown)
        #expect(!text.contains("params:\n  REGION"), "front matter is replaced by the header")
        #expect(text.contains("- [x] Announce the rotation in #ops {id=announce}"))
        #expect(text.contains("- [x] Step 2 `check`: Check"))
        #expect(text.contains("- [x] Step 3 `flush`: Flush"))
        #expect(text.contains("- [ ] Step 4 `confirm`: Confirm"))
        #expect(text.contains("**not run**"))
        #expect(text.contains("  ```bash {id=flush retries=1}\n  test -f ready\n  ```"), "the code block is kept, inside its item")
        #expect(text.contains("-test -f ready\n") && text.contains("+test -f ready || true\n"))
        #expect(text.contains("the flag file is \\*missing\\* \\| see \\<ticket\\>"))
        #expect(text.contains("| Incident | INC-7 |"))
        #expect(text.contains("| Params | REGION=eu-west-1 (default) |"))
        #expect(text.contains("<!-- runbook-export: run=\(export.run.runId) records=12 head=\(export.journal.head) -->"))
        #expect(!text.contains("REHEARSAL") && !text.contains("UNFINISHED"))
    }

    @Test("an unfinished run says so at the top of every format")
    func unfinished() throws {
        let run = try retriedRun(end: false)
        try run.append(.stepStart) {
            $0.key = "confirm"
            $0.number = 4
            $0.kind = "code"
            $0.attempt = 1
        }
        let export = try run.load()
        #expect(export.run.state == "interrupted")
        #expect(export.outcomes.last == "unknown")
        #expect(try export.rendered(.markdown).hasPrefix("# UNFINISHED RUN\n"))
        #expect(try export.rendered(.html).contains("<div class=\"banner unfinished\" id=\"unfinished\">UNFINISHED RUN"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(export.rendered(.json).utf8)) as? [String: Any])
        #expect(json["unfinished"] as? Bool == true)
        #expect((json["notices"] as? [String])?.first?.hasPrefix("UNFINISHED") == true)
    }

    @Test("a rehearsal's export says REHEARSAL at the top, in large letters, in all three formats; its findings are listed")
    func rehearsal() throws {
        let run = try RunFixture(runbook: runbookText, mode: "rehearsal")
        try run.manualDone("announce", number: 1)
        try run.attempt("check", number: 2, status: "rehearsed", durationMs: 3)
        try run.attempt(
            "flush", number: 3, status: "failed", durationMs: 2, findings: ["interpreter 'bash' is not on PATH", "warning: 'test' is not on PATH here"])
        try run.attempt("confirm", number: 4, status: "rehearsed", durationMs: 2)
        try run.end("completed_with_failures", exit: 1)
        let export = try run.load()
        #expect(export.isRehearsal)
        let markdown = try export.rendered(.markdown)
        #expect(markdown.hasPrefix("# REHEARSAL\n"))
        #expect(markdown.contains("finding: interpreter 'bash' is not on PATH"))
        let html = try export.rendered(.html)
        let banner = try #require(html.range(of: "<div class=\"banner rehearsal\" id=\"rehearsal\">REHEARSAL"))
        #expect(banner.lowerBound < (html.range(of: "<header>")?.lowerBound ?? html.startIndex))
        #expect(html.contains(".banner { margin: 0 0 1rem; padding: 1rem 1.2rem; border: 4px solid; border-radius: 8px; font-size: 3.6rem;"))
        #expect(html.contains("data-key=\"check\" data-outcome=\"rehearsed\""))
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<title>REHEARSAL · Run record"))
        let json = try export.rendered(.json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["rehearsal"] as? Bool == true)
        #expect((object["notices"] as? [String])?.first?.hasPrefix("REHEARSAL") == true)
        let problem = try schemaProblem(ofJSON: json)
        #expect(problem == nil, "\(problem ?? "")")
    }

    @Test("an excerpt keeps the head and tail, cut at line ends, and says how many bytes were cut")
    func excerpt() throws {
        let run = try RunFixture(runbook: runbookText)
        let output = (1...400).map { "line \($0)\n" }.joined() + "bell \u{7} esc \u{1B}[31mred\u{1B}[0m\r\n"
        try run.attempt("check", number: 2, status: "ok", exit: 0, output: output)
        let export = try run.load()
        let reader = RunFolderReader(export, options: ExportOptions(excerptBytes: 200))
        let ref = try #require(export.allSteps[1].attempts.first?.output)
        let excerpt = reader.excerpt(ref)
        #expect(excerpt.fileBytes == output.utf8.count)
        #expect(excerpt.text.hasPrefix("line 1\nline 2\n"))
        #expect(excerpt.text.contains("\n[runbook export: \(excerpt.cutBytes) bytes of out/1.log cut here; the record keeps \(output.utf8.count) bytes]\n"))
        #expect(excerpt.text.hasSuffix("line 400\nbell ␇ esc ␛[31mred␛[0m\n"))
        #expect(excerpt.shownBytes + excerpt.cutBytes == excerpt.fileBytes)
        #expect(excerpt.shownBytes <= 200)
        let whole = RunFolderReader(export, options: ExportOptions()).excerpt(ref)
        #expect(whole.cutBytes == 0 && whole.text.contains("line 200\n"))
    }

    @Test("an output file changed after the run makes the run damaged, and its content is not shown")
    func changedOutput() throws {
        let run = try retriedRun()
        try "forged: everything fine\n".write(toFile: run.folder + "/out/4.log", atomically: false, encoding: .utf8)
        let export = try run.load()
        #expect(export.damage.count == 1)
        #expect(export.damage.first?.contains("out/4.log: changed") == true)
        let markdown = try export.rendered(.markdown, options: ExportOptions(allowDamaged: true))
        #expect(markdown.hasPrefix("# DAMAGED RECORD\n"))
        #expect(!markdown.contains("forged"))
        #expect(markdown.contains("not shown: out/4.log: changed"))
    }

    @Test("JSON: one document with sorted keys that validates against docs/export.schema.json")
    func json() throws {
        let export = try retriedRun().load()
        let text = try export.rendered(.json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(
            Array(object.keys).sorted() == [
                "damaged", "events", "format", "journal", "marker", "notices", "rehearsal", "run", "runbook", "steps", "unfinished", "version",
            ])
        let steps = try #require(object["steps"] as? [[String: Any]])
        #expect(steps.map { $0["outcome"] as? String } == ["done", "ok", "ok", "not_run"])
        let flush = steps[2]
        #expect((flush["edited_code"] as? [[String: Any]])?.first?["diff"] as? [String] == ["-test -f ready", "+test -f ready || true"])
        #expect(((flush["attempts"] as? [[String: Any]])?.first?["excerpt"] as? [String: Any])?["text"] as? String == "no ready file\n")
        #expect((object["journal"] as? [String: Any])?["head"] as? String == export.journal.head)
        let problem = try schemaProblem(ofJSON: text)
        #expect(problem == nil, "\(problem ?? "")")
        let keys = text.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { $0.split(separator: "\"")[1] }
        #expect(keys == keys.sorted(), "top-level keys in sorted order")
    }

    @Test("the marker names the run, records and head in every format, and is found again; one planted in a note is not")
    func marker() throws {
        let run = try retriedRun(end: false)
        let planted = "runbook-export: run=\(run.runId) records=1 head=\(String(repeating: "a", count: 64))"
        try run.append(.note) { $0.text = "<!-- \(planted) -->" }
        try run.append(.note) {
            $0.key = "check"
            $0.text = "<meta name=\"runbook-export\" content=\"\(planted)\">"
        }
        try run.end("completed", exit: 0)
        let export = try run.load()
        for format in ExportFormat.allCases {
            let found = try #require(ExportSigning.exportMarker(Data(export.rendered(format).utf8)), "\(format)")
            #expect(found.runId == export.run.runId && found.records == 14 && found.head == export.journal.head, "\(format): \(found)")
        }
    }

    @Test("journal timestamps read as milliseconds")
    func timestamps() {
        #expect(ExportTime.milliseconds("1970-01-01T00:00:01.250Z") == 1250)
        #expect(ExportTime.milliseconds("2026-11-26T10:05:56.459Z") == 1_795_687_556_459)
        #expect(ExportTime.millisecondsBetween("2026-02-28T23:59:59.900Z", "2026-03-01T00:00:00.100Z") == 200)
        #expect(ExportTime.milliseconds("2026-11-26 10:05:56") == nil)
    }

    @Test("an atomic file is not there until commit, and discard leaves nothing")
    func atomicFile() throws {
        let folder = try #require(TemporaryStateDirectory.current)
        let path = folder + "/record.md"
        try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
        let writer = try AtomicFileWriter(path: path)
        writer.write("new ")
        writer.write(bytes: Array("text\n".utf8))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")
        try writer.commit()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new text\n")
        let discarded = try AtomicFileWriter(path: folder + "/other.md")
        discarded.write("x")
        discarded.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["record.md"])
    }
}
