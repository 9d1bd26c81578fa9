import Foundation
import RunbookKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Crashes at random points", .tags(.endToEnd, .slow))
struct CrashTests {
    @Test("runner killed at random moments: every journal verifies, every step_end has its step_start, resume finishes the run")
    func randomKills() throws {
        var text = "# T\n\n"
        for i in 0..<20 { text += "```bash {id=s\(i) idempotent}\necho \(i) >> \"$OUT\"\n```\n\n" }
        var generator = SystemRandomNumberGenerator()
        for round in 0..<15 {
            let box = Sandbox()
            let file = box.write("rb.md", text)
            let env = ["OUT": box.root + "/out.txt"]
            let session = TerminalSession(["run", "--yes", "--state-dir", box.state, file], env: env)
            usleep(UInt32.random(in: 0...150_000, using: &generator))
            kill(session.pid, SIGKILL)
            _ = session.wait()
            guard let dir = box.runDirs().first else { continue }  // killed before the run folder existed
            let verification = try JournalVerifier.verify(path: dir + "/journal.jsonl")
            #expect(verification.problem == nil, "round \(round): \(verification.problem ?? "")")
            var started = Set<String>()
            for record in verification.records {
                if record.type == .stepStart, let key = record.key { started.insert(key) }
                if record.type == .stepEnd, let key = record.key { #expect(started.contains(key), "round \(round): step_end without step_start for \(key)") }
            }
            // A killed run (no run_end) resumes to completion; its idempotent steps with unknown outcomes run again.
            if !verification.records.contains(where: { $0.type == .runEnd }) {
                let r = runbook(["resume", "--yes", "--state-dir", box.state, file], env: env)
                #expect(r.status == 0, "round \(round): \(r.stdout)\(r.stderr)")
                let done = try box.journal()
                #expect(done.last?.type == .runEnd)
                let completed = Set(done.filter { $0.type == .stepEnd && $0.status == "ok" }.compactMap(\.key))
                #expect(completed.count == 20, "round \(round): \(completed.count) steps ok")
            }
        }
    }
}
