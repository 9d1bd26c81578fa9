import Foundation
import Testing

@testable import RunbookKit

@Suite("Byte-level checks")
struct ByteLevelTests {
    /// five-steps.md without its line `n`.
    static func fiveSteps(removingLine n: Int) throws -> [String] {
        var lines = try String(decoding: Fixtures.bytes("five-steps.md"), as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[n - 1] == "```", "line \(n) of five-steps.md is a closing fence")
        lines.remove(at: n - 1)
        return lines
    }

    @Test("the intact five-step fixture has five steps and no errors")
    func fiveStepsIntact() throws {
        let runbook = try Fixtures.parse("five-steps.md")
        #expect(runbook.steps.map(\.key) == ["s1", "s2", "s3", "s4", "s5"])
        #expect(runbook.sections.map(\.title) == ["One", "Two", "Three", "Four", "Five"])
        #expect(runbook.diagnostics.isEmpty)
    }

    @Test("a fence left open to the end of the file is an error at its opening line; later headings are swallowed")
    func unclosedFenceToEnd() throws {
        // Drop step 2's closing fence; later fences use ~~~, so nothing closes step 2's ```.
        var lines = try Self.fiveSteps(removingLine: 11)
        for i in 10..<lines.count where lines[i].hasPrefix("```") { lines[i] = "~~~" + lines[i].dropFirst(3) }
        let runbook = parse(lines.joined(separator: "\n"))
        let lastLine = lines.last == "" ? lines.count - 1 : lines.count
        expectDiagnostic(
            runbook, line: 9, column: 1, .error, "unclosed-fence",
            ["never closed", "up to line \(lastLine)", "later headings", "closing ``` line"])
        #expect(runbook.errors.count == 1)
        #expect(runbook.sections.map(\.title) == ["One", "Two"])
        #expect(runbook.steps.map(\.key) == ["s1", "s2"])
        let swallowed = try #require(runbook.step(key: "s2")?.code)
        #expect(swallowed.contains("# Three") && swallowed.contains("# Five") && swallowed.contains("echo 5"))
    }

    @Test("an unclosed tilde fence names its marker")
    func unclosedTilde() {
        let runbook = parse("# T\n\n~~~~bash {id=a}\necho a\n~~~\n")
        expectDiagnostic(runbook, line: 3, column: 1, .error, "unclosed-fence", ["closing ~~~~ line"])
        let atEOF = parse("```bash {id=a}")
        expectDiagnostic(atEOF, line: 1, column: 1, .error, "unclosed-fence", ["never closed"])
    }

    @Test("removing the closing fence of step 2 of 5 is an unclosed-fence error, not a silently lost step")
    func unclosedFenceStepTwoOfFive() throws {
        let lines = try Self.fiveSteps(removingLine: 11)
        let runbook = parse(lines.joined(separator: "\n"))
        // cmark pairs step 2's opening fence with step 3's closing fence: heading Three and step s3 vanish.
        #expect(!runbook.sections.map(\.title).contains("Three"))
        #expect(runbook.steps.map(\.key) == ["s1", "s2", "s4", "s5"])
        #expect(runbook.step(key: "s2")?.code?.contains("```bash {id=s3}") == true)
        expectDiagnostic(runbook, line: 9, column: 1, .error, "unclosed-fence", ["never closed", "line 14"])
        #expect(runbook.hasErrors)
    }

    @Test("a NUL byte is an error with its byte offset, and is not passed on to the code")
    func nulByte() {
        let runbook = parse(bytes: Array("# T\n\n```bash {id=a}\necho a".utf8) + [0] + Array("b\n```\n".utf8))
        expectDiagnostic(runbook, line: 4, column: 7, .error, "nul-byte", ["NUL byte", "byte offset 26"])
        #expect(runbook.hasErrors)
        #expect(runbook.steps.first?.code == "echo a?b\n")
    }

    @Test("invalid UTF-8 is an error at the bad byte with its offset")
    func invalidUTF8() {
        let runbook = parse(bytes: Array("# T\n\n- [ ] caf".utf8) + [0xC3, 0x28] + Array(" {id=c}\n".utf8))
        expectDiagnostic(runbook, line: 3, column: 10, .error, "invalid-utf8", ["0xC3", "byte offset 14", "UTF-8"])
        #expect(runbook.diagnostics(rule: "invalid-utf8").count == 1, "0x28 after the bad lead byte is plain ASCII")
        #expect(runbook.steps.first?.title == "caf?(")
        // Valid multi-byte text is fine.
        let valid = parse("# Café ✓ 🚀\n\n- [ ] naïve {id=n}\n")
        #expect(valid.diagnostics.isEmpty, "\(valid.diagnostics.map(\.rendered))")
    }

    @Test(
        "other invalid UTF-8 forms",
        arguments: [
            [0xC0, 0x80] as [UInt8],  // overlong
            [0xED, 0xA0, 0x80],  // surrogate
            [0xF5, 0x80, 0x80, 0x80],  // beyond U+10FFFF
            [0x80],  // lone continuation
            [0xE2, 0x82],  // truncated at end of file
        ])
    func invalidForms(bad: [UInt8]) {
        let runbook = parse(bytes: Array("- [ ] x {id=x}\nab".utf8) + bad)
        let first = runbook.diagnostics(rule: "invalid-utf8").first
        #expect(first?.line == 2)
        #expect(first?.column == 3)
        #expect(first?.message.contains("byte offset 17") == true)
        #expect(first?.message.contains("0x\(hexByte(bad[0]))") == true)
    }

    @Test("a lone carriage return is an error")
    func loneCR() {
        let runbook = parse(bytes: Array("# T\r\n\r\n- [ ] a\rb {id=x}\n".utf8))
        expectDiagnostic(runbook, line: 3, column: 8, .error, "lone-cr", ["carriage return", "byte offset 14"])
        #expect(runbook.diagnostics(rule: "lone-cr").count == 1, "CRLF pairs are not lone")
        #expect(runbook.steps.first?.title == "a b")
        let double = parse(bytes: Array("- [ ] a {id=x}\r\r\n".utf8))
        expectDiagnostic(double, line: 1, column: 15, .error, "lone-cr", ["byte offset 14"])
    }

    @Test(
        "more than ten byte findings of a kind: the rest are summarised in one diagnostic",
        arguments: [
            (UInt8(0x00), "nul-byte", "NUL bytes"),
            (UInt8(0xFF), "invalid-utf8", "invalid UTF-8 bytes"),
            (UInt8(0x0D), "lone-cr", "lone carriage returns"),
        ])
    func summarised(byte: UInt8, rule: String, what: String) {
        // Twelve bad bytes on the last line, with no final line feed.
        let runbook = parse(bytes: Array("# T\n\n- [ ] x {id=x}\n\nab".utf8) + Array(repeating: byte, count: 12))
        let found = runbook.diagnostics(rule: rule)
        #expect(found.count == 11)
        let listed = found.filter { $0.message.contains("byte offset") }
        #expect(listed.map(\.column) == Array(3...12))
        #expect(listed.allSatisfy { $0.line == 5 && $0.severity == .error })
        #expect(listed.map(\.message).enumerated().allSatisfy { $1.contains("byte offset \(23 + $0)") })
        let summaries = found.filter { !$0.message.contains("byte offset") }
        #expect(summaries.count == 1)
        let summary = summaries.first
        #expect(summary?.message.contains("2 more \(what) from here on, not listed one by one (12 in all)") == true, "\(summary?.message ?? "")")
        #expect(summary?.severity == .error)
        #expect(summary?.line == 5)
        #expect(summary?.column == 13, "the summary points at the first byte not listed")
        let ten = parse(bytes: Array("ab".utf8) + Array(repeating: byte, count: 10))
        #expect(ten.diagnostics(rule: rule).count == 10, "exactly ten are all listed, no summary")
    }

    @Test(
        "CRLF and a BOM read the same as LF, but the hash is of the raw bytes",
        arguments: ["steps.md", "keys.md", "attributes.md", "dup-keys.md", "params-lint.md", "front-matter.md", "everything.md"])
    func lineEndings(fixture: String) throws {
        let lf = try Fixtures.bytes(fixture)
        #expect(!lf.contains(0x0D))
        let crlf = Array(String(decoding: lf, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let reference = parse(bytes: lf, path: fixture)
        #expect(!reference.steps.isEmpty)
        for (label, raw) in [("crlf", crlf), ("bom", bom + lf), ("bom+crlf", bom + crlf)] {
            let other = parse(bytes: raw, path: fixture)
            #expect(other.steps == reference.steps, "\(label): steps differ")
            #expect(other.sections == reference.sections, "\(label): sections differ")
            #expect(other.references == reference.references, "\(label): references differ")
            #expect(other.params == reference.params, "\(label): params differ")
            #expect(other.defaults == reference.defaults, "\(label): defaults differ")
            #expect(other.title == reference.title, "\(label): title differs")
            #expect(other.diagnostics == reference.diagnostics, "\(label): diagnostics differ")
            #expect(other.steps.allSatisfy { !($0.code ?? "").contains("\r") && !$0.prose.contains("\r") && !$0.title.contains("\r") })
            #expect(other.steps.allSatisfy { !$0.key.contains("\u{FEFF}") && !$0.title.contains("\u{FEFF}") })
            #expect(other.sha256 == SHA256.hex(raw), "\(label): sha256 is of the raw bytes")
            #expect(other.sha256 != reference.sha256)
            #expect(other.byteCount == raw.count)
            #expect(other.rawBytes == raw)
        }
        #expect(reference.sha256 == SHA256.hex(lf))
    }

    @Test("a BOM before the first line does not reach keys, titles or columns")
    func bomOnFirstLine() {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let heading = parse(bytes: bom + Array("# Title\n```bash {name=n}\ntrue\n```\n".utf8))
        #expect(heading.title == "Title")
        #expect(heading.sections.first?.path == "title")
        #expect(heading.steps.first?.key == "title/n")
        let task = parse(bytes: bom + Array("- [ ] first {id=k}\r\r\n".utf8))
        #expect(task.steps.first?.key == "k")
        #expect(task.steps.first?.title == "first")
        expectDiagnostic(task, line: 1, column: 19, .error, "lone-cr", ["byte offset 21"])
        let frontMatter = parse(bytes: bom + Array("---\r\ntitle: With BOM\r\n---\r\n- [ ] x {id=x}\r\n".utf8))
        #expect(frontMatter.title == "With BOM")
        #expect(frontMatter.steps.first?.line == 4)
    }

    @Test("SHA-256 matches the standard test vectors")
    func sha256Vectors() {
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let runbook = parse("abc")
        #expect(runbook.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("a file over 20 MiB is refused with one error")
    func tooLargeBytes() {
        let limit = 20 * 1024 * 1024
        #expect(SourceText.sizeLimit == limit)
        let runbook = parse(bytes: [UInt8](repeating: 0x61, count: limit + 1), path: "big.md")
        #expect(runbook.diagnostics.map { Finding($0) } == [Finding(1, 1, .error, "file-too-large")])
        expectDiagnostic(runbook, line: 1, column: 1, .error, "file-too-large", ["\(limit + 1) bytes", "20 MiB", "split"])
        #expect(runbook.steps.isEmpty)
        #expect(runbook.byteCount == limit + 1)
        #expect(runbook.diagnostics.first?.rendered.hasPrefix("big.md:1:1: error: file is") == true)
    }

    @Test("a file of exactly 20 MiB is read")
    func exactlyAtLimit() {
        let limit = 20 * 1024 * 1024
        var bytes = Array("- [ ] fits {id=f}\n\n".utf8)
        bytes += [UInt8](repeating: 0x61, count: limit - bytes.count)
        let runbook = parse(bytes: bytes)
        expectNone(runbook, "file-too-large")
        #expect(runbook.steps.map(\.key) == ["f"])
    }

    @Test("a file over 20 MiB on disk is refused without reading it")
    func tooLargeFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-big-\(UUID().uuidString).md")
        #expect(FileManager.default.createFile(atPath: url.path, contents: Data("# Big\n".utf8)))
        defer { try? FileManager.default.removeItem(at: url) }
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: UInt64(SourceText.sizeLimit + 10))
        try handle.close()
        let runbook = try RunbookParser.parse(path: url.path)
        expectDiagnostic(runbook, line: 1, column: 1, .error, "file-too-large", ["\(SourceText.sizeLimit + 10) bytes"])
        #expect(runbook.path == url.path)
    }

    @Test("an unreadable path throws with the reason")
    func unreadable() throws {
        let missing = "/nonexistent/runbook-\(UUID().uuidString).md"
        #expect(throws: FileReadError.self) { try RunbookParser.parse(path: missing) }
        do {
            _ = try RunbookParser.parse(path: missing)
        } catch {
            #expect(error.path == missing)
            #expect(error.reason.contains("no such file"))
        }
        let directory = try Fixtures.directory.path
        do {
            _ = try RunbookParser.parse(path: directory)
            Issue.record("a directory must not parse")
        } catch {
            #expect(error.reason.contains("directory"))
        }
    }

    @Test("diagnostics render as FILE:LINE:COL: severity: text")
    func rendered() {
        let d = Diagnostic(path: "a/b.md", line: 3, column: 7, severity: .warning, rule: "r", message: "text here")
        #expect(d.rendered == "a/b.md:3:7: warning: text here")
        let clamped = Diagnostic(path: "x.md", line: 0, column: -2, severity: .error, rule: "r", message: "m")
        #expect(clamped.rendered == "x.md:1:1: error: m")
        let runbook = parse("```bash {id=a timout=1}\ntrue\n```\n", path: "deploy.md")
        #expect(runbook.diagnostics.map(\.rendered) == ["deploy.md:1:15: error: unknown attribute 'timout' (did you mean 'timeout'?)"])
    }
}
