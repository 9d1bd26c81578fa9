import Foundation
import RunbookKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The secret the drill prints in several forms; none of them may reach an export.
private let secret = "s3cr3t-T0ken/xyz+42"

private let drill = """
    ---
    title: Audit drill
    params:
      TOKEN:
        secret: true
        required: true
      REGION:
        default: eu-west-1
    ---

    # Audit drill

    ## Prepare

    - [ ] Announce the drill in #ops {id=announce}

    ## Work

    ```bash {id=show}
    echo "region $REGION"
    echo "plain $TOKEN"
    printf '%s' "$TOKEN" | base64
    printf '%s' "$TOKEN" | od -An -tx1 | tr -d ' \\n'; echo
    ```

    ```bash {id=skipped skip="not on this cluster"}
    echo never
    ```

    ```bash {id=work}
    test -z "$FAIL" || { echo "failing as asked"; exit 3; }
    echo "work done"
    ```

    ```bash {id=last}
    echo last
    ```

    """

private let drillKeys = ["announce", "show", "skipped", "work", "last"]

/// Every form of the secret the masker knows: plain, base64 (both alphabets), hex, percent-encoded.
private let secretForms: [String] = {
    let base64 = Data(secret.utf8).base64EncodedString()
    let hex = secret.utf8.map { String(format: "%02x", $0) }.joined()
    return [
        secret, base64, base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"), hex, hex.uppercased(),
        secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? secret,
    ]
}()

enum DrillRun: String, CaseIterable {
    case finished, failed, interrupted

    /// Runs the drill in `box` and returns the run's folder.
    func make(_ box: Sandbox) throws -> String {
        let file = box.write("drill.md", drill)
        var env = ["TOKEN": secret]
        switch self {
        case .finished: break
        case .failed: env["FAIL"] = "1"
        case .interrupted: env["RUNBOOK_TEST_CRASH_AT"] = "after_output_sync"
        }
        let r = runbook(["run", "--yes", "--state-dir", box.state, "--incident", "INC-42", file], env: env)
        let expected: Int32 = [.finished: 0, .failed: 1, .interrupted: 128 + SIGKILL][self] ?? 0
        #expect(r.status == expected, "\(rawValue): \(r.stdout)\(r.stderr)")
        return try #require(box.runDirs().last)
    }
}

/// Each key's final outcome, folded from the journal the simple way.
private func outcomes(_ records: [JournalRecord]) -> [String: String] {
    var out: [String: String] = [:]
    for key in drillKeys { out[key] = "not_run" }
    for record in records {
        guard let key = record.key else { continue }
        if record.type == .stepStart { out[key] = "unknown" }
        if record.type == .stepEnd { out[key] = record.status }
        if record.type == .decision, record.choice == "skip", out[key] == "failed" { out[key] = "skipped" }
    }
    return out
}

/// `runbook verify`'s head hash for the run in `dir`.
private func verifiedHead(_ dir: String) throws -> String {
    let r = runbook(["verify", "--json", dir])
    let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)\(r.stderr)")
    return try #require(object["head"] as? String)
}

/// Validates a JSON export against docs/export.schema.json with Python's `jsonschema`.
func schemaProblem(ofJSONFile file: String) throws -> String? {
    var root = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { root.deleteLastPathComponent() }
    let script = "import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))"
    let r = spawnAndWait(
        ["/usr/bin/env", "python3", "-c", script, root.path + "/docs/export.schema.json", file], stdin: nil,
        environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"], cwd: nil, timeout: 60)
    return r.status == 0 ? nil : r.stderr
}

@Suite("runbook export", .tags(.endToEnd))
struct ExportTests {
    @Test("a finished, a failed and an interrupted run export in all three formats, each true to the journal", arguments: DrillRun.allCases)
    func threeRuns(_ kind: DrillRun) throws {
        let box = Sandbox()
        let dir = try kind.make(box)
        let records = try JournalVerifier.verify(path: dir + "/journal.jsonl").records
        let expected = outcomes(records)
        #expect(expected["show"] == (kind == .interrupted ? "unknown" : "ok"))
        #expect(expected["work"] == [.finished: "ok", .failed: "failed", .interrupted: "not_run"][kind])
        let head = try verifiedHead(dir)
        for format in ["markdown", "json", "html"] {
            let file = box.root + "/record.\(format)"
            let r = runbook(["export", dir, "--format", format, "-o", file])
            #expect(r.status == 0, "\(kind) \(format): \(r.stderr)")
            #expect(r.stdout.isEmpty)
            let text = try String(contentsOfFile: file, encoding: .utf8)
            for form in secretForms { #expect(!text.contains(form), "\(kind) \(format) holds the secret as \(form)") }
            #expect(text.contains("runbook-export: run=\((dir as NSString).lastPathComponent) records=\(records.count) head=\(head)"))
            #expect(text.contains("INC-42"))
            #expect(text.contains("UNFINISHED") == (kind == .interrupted), "\(kind) \(format)")
            try checkSteps(format, text, expected, kind: kind)
            if format == "json" {
                let problem = try schemaProblem(ofJSONFile: file)
                #expect(problem == nil, "\(kind): \(problem ?? "")")
            }
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: box.root).filter { $0.hasPrefix(".") }
        #expect(names.isEmpty, "temporary files left: \(names)")
    }

    /// Every step of the drill is in the export with the outcome the journal gives it.
    private func checkSteps(_ format: String, _ text: String, _ expected: [String: String], kind: DrillRun) throws {
        for (number, key) in drillKeys.enumerated() {
            let outcome = try #require(expected[key])
            let done = ["ok", "done"].contains(outcome)
            switch format {
            case "json":
                let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
                let steps = try #require(object["steps"] as? [[String: Any]])
                let step = try #require(steps.first { $0["key"] as? String == key }, "\(kind): \(key) missing")
                #expect(step["outcome"] as? String == outcome, "\(kind) \(key)")
                #expect(step["done"] as? Bool == done)
                #expect(object["unfinished"] as? Bool == (kind == .interrupted))
            case "html":
                #expect(text.contains("data-key=\"\(key)\" data-outcome=\"\(outcome)\""), "\(kind) \(key): \(outcome)")
            default:
                let words = outcome == "unknown" ? "outcome unknown" : outcome.replacingOccurrences(of: "_", with: " ")
                let item = key == "announce" ? "- [\(done ? "x" : " ")] Announce the drill" : "- [\(done ? "x" : " ")] Step \(number + 1) `\(key)`"
                let at = try #require(text.range(of: item), "\(kind) \(key): no '\(item)'")
                #expect(text[at.upperBound...].contains("**\(words)"), "\(kind) \(key): \(words)")
            }
        }
    }

    @Test("a damaged journal is refused with exit 4; --allow-damaged exports it marked DAMAGED")
    func damaged() throws {
        let box = Sandbox()
        let dir = try DrillRun.finished.make(box)
        let journal = dir + "/journal.jsonl"
        var lines = try String(contentsOfFile: journal, encoding: .utf8).components(separatedBy: "\n")
        let index = try #require(lines.firstIndex { $0.contains("\"status\":\"ok\"") })
        lines[index] = lines[index].replacingOccurrences(of: "\"status\":\"ok\"", with: "\"status\":\"failed\"")
        try lines.joined(separator: "\n").write(toFile: journal, atomically: false, encoding: .utf8)
        let refused = runbook(["export", dir, "-o", box.root + "/r.md"])
        #expect(refused.status == 4)
        #expect(refused.stderr.contains("journal fails verification") && refused.stderr.contains("--allow-damaged"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: box.root + "/r.md"))
        for format in ["markdown", "html", "json"] {
            let allowed = runbook(["export", dir, "--format", format, "--allow-damaged"])
            #expect(allowed.status == 0, "\(allowed.stderr)")
            #expect(allowed.stdout.contains("DAMAGED"), "\(format)")
        }
    }

    @Test("-o replaces a file whole; a folder that does not exist fails with exit 74 and leaves nothing; --format follows the extension")
    func atomicOutput() throws {
        let box = Sandbox()
        let dir = try DrillRun.finished.make(box)
        let file = box.write("record.html", "old")
        let r = runbook(["export", dir, "-o", file])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8).hasPrefix("<!DOCTYPE html>"))
        let missing = runbook(["export", dir, "-o", box.root + "/no/such/folder/r.md"])
        #expect(missing.status == 74, "\(missing.stderr)")
        #expect(runbook(["export", dir, "--format", "pdf"]).status == 2)
        // A negative excerpt is refused by name, not taken for an unknown flag ('Missing value').
        let negative = runbook(["export", dir, "--excerpt-bytes", "-1"])
        #expect(negative.status == 2 && negative.stderr.contains("--excerpt-bytes takes a number of bytes, 0 or more"), "\(negative.stderr)")
        #expect(runbook(["export", dir, "--sign", "key"]).status == 2, "--sign needs -o")
        #expect(runbook(["export", "--state-dir", box.state, "20990101T000000Z-00000000"]).status == 2)
    }

    @Test("a rehearsal exports with REHEARSAL at the top of all three formats")
    func rehearsal() throws {
        let box = Sandbox()
        let file = box.write("drill.md", drill)
        let run = runbook(["run", "--dry-run", "--yes", "--state-dir", box.state, file], env: ["TOKEN": secret])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let dir = try #require(box.runDirs().last)
        let markdown = runbook(["export", dir, "--format", "markdown"]).stdout
        #expect(markdown.hasPrefix("# REHEARSAL\n"), "\(markdown.prefix(200))")
        let html = runbook(["export", dir, "--format", "html"]).stdout
        #expect(html.contains("<body>\n<!-- runbook-export:") && html.contains("-->\n<div class=\"banner rehearsal\" id=\"rehearsal\">REHEARSAL"))
        let json = runbook(["export", dir, "--format", "json"]).stdout
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["rehearsal"] as? Bool == true)
        #expect((object["notices"] as? [String])?.first?.hasPrefix("REHEARSAL: ") == true)
        #expect(((object["run"] as? [String: Any])?["mode"] as? String) == "rehearsal")
    }

    @Test("runbook diff: a failed run against a finished one, step by step, as text and JSON")
    func diff() throws {
        // Two state folders: run ids made in the same second do not sort by time.
        let box = Sandbox()
        let other = Sandbox()
        let finished = try DrillRun.finished.make(box)
        let failed = try DrillRun.failed.make(other)
        let r = runbook(["diff", finished, failed])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("the same runbook in both runs"))
        let work = try #require(r.stdout.split(separator: "\n").first { $0.contains(" work ") })
        #expect(work.contains("ok") && work.contains("failed") && work.contains("≠ outcome"), "\(work)")
        let json = runbook(["diff", "--json", finished, failed])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let steps = try #require(object["steps"] as? [[String: Any]])
        #expect(steps.map { $0["key"] as? String } == drillKeys)
        let last = try #require(steps.last)
        #expect(last["changes"] as? [String] == ["outcome", "attempts"])
        #expect(((last["b"] as? [String: Any])?["outcome"] as? String) == "not_run")
    }
}
