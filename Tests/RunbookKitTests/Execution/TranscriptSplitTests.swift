import Foundation
import Testing

@testable import RunbookKit

/// The end markers of a transcript's commands, taken out of the output however it is split into reads.
@Suite("transcript output markers")
struct TranscriptSplitTests {
    /// Feeds what `reads` makes of the transcript's program (its output, cut into reads) through it.
    private func run(_ runbook: Runbook, failed: Bool = false, reads: (String) throws -> [[UInt8]]) rethrows -> (
        forwarded: [UInt8], notes: [String], screen: String
    ) {
        let test = TestContext(answers: [])
        let console = Console(context: test.context)
        let step = runbook.steps[0]
        let transcript = TranscriptRun(
            step: step, commands: (step.commands ?? []).map(\.text), path: runbook.path, screen: Screen(console: console, runbook: runbook))
        var forwarded: [UInt8] = []
        for read in try reads(transcript.program) { read.withUnsafeBytes { transcript.feed($0) { forwarded.append(contentsOf: $0) } } }
        transcript.finish(failed: failed) { forwarded.append(contentsOf: $0) }
        return (forwarded, transcript.notes, test.screen)
    }

    /// What bash writes for the transcript's program.
    private func bashOutput(_ program: String) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["--noprofile", "--norc", "-e", "-c", program]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(data)
    }

    @Test("split at every byte, or in one read, the output forwarded is exactly the commands' output, and each comparison holds")
    func everySplit() throws {
        let runbook = parse("# T\n\n```bash\n$ printf 'a\\x1eb\\n'\na\u{1E}b\n$ printf 'no newline'\nno newline\n$ echo x\ny\n```\n")
        for size in [1, 2, 3, 7, 100_000] {
            var rawCount = 0
            let (forwarded, notes, _) = try run(runbook) { program in
                let raw = try bashOutput(program)
                rawCount = raw.count
                return stride(from: 0, to: raw.count, by: size).map { Array(raw[$0..<min($0 + size, raw.count)]) }
            }
            #expect(rawCount > "a\u{1E}b\nno newlinex\n".utf8.count, "the markers are in the raw output")
            #expect(String(decoding: forwarded, as: UTF8.self) == "a\u{1E}b\nno newlinex\n", "reads of \(size) bytes")
            #expect(notes.count == 1, "only `echo x` differs: \(notes)")
            #expect(notes.first?.contains("command 3 of 3 (t.md:8)") == true, "\(notes)")
        }
    }

    @Test("under set -x the trace of the program holds no marker: what the shell wrote is kept, byte for byte")
    func xtrace() throws {
        let runbook = parse("# T\n\n```bash\n$ set -x\n$ echo a\n$ echo b\n```\n")
        var raw: [UInt8] = []
        let (forwarded, notes, _) = try run(runbook) { program in
            raw = try bashOutput("exec 2>&1\n" + program)
            return [raw]
        }
        #expect(!forwarded.contains(0x1E))
        let text = String(decoding: forwarded, as: UTF8.self)
        #expect(text.contains("+ echo a\na\n+ printf"), "\(text)")
        // RS, `runbook:`, 32 hex digits, `:`, one digit, RS, LF: 45 bytes a marker.
        #expect(forwarded.count == raw.count - 3 * 45, "only the three markers are gone")
        #expect(notes.isEmpty, "every command ended: \(notes)")
    }

    @Test("a marker with another run's nonce is output, not a marker")
    func foreignMarker() {
        let runbook = parse("# T\n\n```bash\n$ echo a\n$ echo b\n```\n")
        let fake = Array("\u{1E}runbook:0123456789abcdef:1\u{1E}\n".utf8)
        let (forwarded, notes, _) = run(runbook, failed: true) { _ in [fake] }
        #expect(forwarded == fake)
        #expect(notes.first?.contains("command 1 of 2 (t.md:4) failed; the commands after it did not run") == true, "\(notes)")
    }
}
