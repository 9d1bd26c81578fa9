import Foundation
import Testing

/// A param prompt in a narrow window: the description is never broken inside a word.
@Suite("param prompts in a narrow window", .tags(.endToEnd))
struct ParamPromptTests {
    static let description =
        "The Render service that serves the backend, as its dashboard names it (Settings, Name); never the preview service"

    @Test("at 60 columns a long description stands above the prompt, broken between words; the value is typed after a short prompt")
    func longDescriptionWrapsBetweenWords() throws {
        let box = Sandbox()
        let file = box.write(
            "p.md",
            """
            ---
            params:
              SERVICE:
                required: true
                description: "\(Self.description)"
                pattern: "[a-z][a-z0-9-]*"
            ---
            # P

            ```bash {id=show}
            echo "service $SERVICE" > "$OUT"
            ```
            """)
        let session = TerminalSession(
            ["run", "--state-dir", box.state, file], env: ["OUT": box.root + "/out.txt"], size: WindowSize(cols: 60, rows: 50))
        #expect(session.waitFor("(required): "), "\(session.text)")
        session.send("backend-api\r")
        #expect(session.waitFor("[r]un [s]kip"), "\(session.text)")
        session.send("r")
        #expect(session.wait() == 0, "\(session.text)")
        #expect(String(decoding: FileManager.default.contents(atPath: box.root + "/out.txt") ?? Data(), as: UTF8.self) == "service backend-api\n")
        let rows = try session.screen()
        let screen = rows.joined(separator: "\n")
        // Every word whole on one row: the rows read in order give the description back.
        let first = try #require(rows.firstIndex { $0.hasPrefix("  The Render service") }, "\(screen)")
        // The description's rows end where the pattern's row (in brackets) begins.
        let end = try #require(rows[first...].firstIndex { $0.hasPrefix("  [") }, "\(screen)")
        #expect(words(rows[first..<end].joined(separator: " ")) == Self.description, "\(screen)")
        #expect(rows[first..<end].allSatisfy { $0.count <= 60 }, "\(screen)")
        // The prompt itself is short, with the typed value on its row.
        #expect(rows.contains { $0.hasPrefix("param SERVICE (required): backend-api") }, "\(screen)")
        #expect(screen.contains("[a lower-case letter"), "the pattern in words, on its own row: \(screen)")
        // The header's fields are not broken inside one either.
        #expect(rows.contains { $0.hasPrefix("  mode: live") || $0.hasSuffix("mode: live") }, "\(screen)")
        #expect(rows.allSatisfy { $0.count <= 60 || $0.hasPrefix("runbook: ") }, "\(screen)")
    }

    @Test("the unfinished-run notice in a 60-column window: every word whole on one row")
    func unfinishedRunNotice() throws {
        let box = Sandbox()
        let file = box.write("deploy.md", "# D\n\n```bash {id=a}\ntrue\n```\n\n```bash {id=b}\ntrue\n```\n")
        #expect(runbook(["run", "--state-dir", box.state, file], stdin: "r\nq\n").status == 5)
        let runId = (box.runDirs()[0] as NSString).lastPathComponent
        let session = TerminalSession(["run", "--state-dir", box.state, file], size: WindowSize(cols: 60, rows: 40))
        #expect(session.waitFor("[r]esume"), "\(session.text)")
        session.send("q")
        _ = session.wait()
        let rows = try session.screen()
        let screen = rows.joined(separator: "\n")
        let first = try #require(rows.firstIndex { $0.contains("has an unfinished run") || $0.hasPrefix(file) }, "\(screen)")
        let end = try #require(rows[first...].firstIndex { $0.contains("steps done)") }, "\(screen)")
        let notice = rows[first...end].map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        #expect(notice.contains("has an unfinished run \(runId) ("), "the run id whole: \(screen)")
        #expect(notice.range(of: #"started \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"#, options: .regularExpression) != nil, "the time whole: \(screen)")
        #expect(rows[first...end].allSatisfy { $0.count <= 60 }, "\(screen)")
    }
}
