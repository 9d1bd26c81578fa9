import Foundation
import RunbookKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The runner SIGKILLed mid-step (issue 9, item 3): the terminal it leaves, and what becomes of the step.
@Suite("the runner killed mid-step", .tags(.endToEnd, .slow))
struct RunnerDeathTests {
    @Test("a new run on the terminal a killed runner left gives the whole window back to scrolling and clears its stale status line first")
    func saneTerminalAfterKill() throws {
        let box = Sandbox()
        let size = WindowSize(cols: 100, rows: 20)
        let slow = box.write("slow.md", "# Slow\n\n```bash {id=slow}\nfor i in $(seq 1 100); do echo \"slow line $i\"; sleep 0.1; done\n```\n")
        let killed = TerminalSession(["run", "--yes", "--state-dir", box.state, slow], size: size)
        #expect(killed.waitFor("slow line 25\r\n"))
        let before = try killed.screen()
        #expect(before.last?.hasPrefix("step 1 of 1 · slow · ") == true, "the status line it will leave: \(before.joined(separator: "\n"))")
        kill(killed.pid, SIGKILL)
        #expect(killed.wait() == 128 + SIGKILL)
        // The step runs on without its runner (see the next test); stop it.
        if let group = try box.journal().last(where: { $0.type == .stepSpawned })?.pgid { kill(-group, SIGKILL) }

        // The next run on the same terminal, whose header and introduction are longer than the window.
        let intro = (1...30).map { "intro line \($0)" }.joined(separator: "\n")
        let next = box.write("next.md", "# Next\n\n\(intro)\n\n## Check\n\n- [ ] look at the dashboard {id=look}\n")
        let second = TerminalSession(["run", "--state-dir", box.state, next], size: size)
        #expect(second.waitFor("[d]one [s]kip"), "\(second.text)")
        let shell = Array("$ runbook run next.md\r\n".utf8)
        let rows = try renderedScreen(killed.transcript + shell + second.transcript, cols: size.cols, rows: size.rows)
        let screen = rows.joined(separator: "\n")
        #expect(!screen.contains("· slow ·"), "no stale status line: \(screen)")
        let prompt = try #require(rows.lastIndex { $0.hasPrefix("[d]one [s]kip") }, "\(screen)")
        #expect(prompt == size.rows - 1, "the whole window scrolls: the prompt is at the bottom, not above a kept row: \(screen)")
        let numbers = rows.compactMap { $0.hasPrefix("intro line ") ? Int($0.dropFirst("intro line ".count)) : nil }
        #expect(numbers.last == 30 && numbers == Array((31 - numbers.count)...30), "\(screen)")
        second.send("q")
        #expect(second.wait() == 5)
    }

    @Test("a step's fate when the runner dies is the same whether it prints or not: it runs to its end")
    func quietAndNoisyAlike() throws {
        let box = Sandbox()
        for kind in ["quiet", "noisy"] {
            let out = box.root + "/\(kind).txt"
            let print = kind == "noisy" ? "echo \"printing $i\"; " : ""
            let file = box.write(
                "\(kind).md", "# \(kind)\n\n```bash {id=\(kind)}\nfor i in $(seq 1 30); do \(print)echo $i >> \"$OUT\"; sleep 0.05; done\n```\n")
            let session = TerminalSession(["run", "--yes", "--state-dir", box.state + "-\(kind)", file], env: ["OUT": out])
            #expect(eventually { ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").count > 6 }, "\(kind) started")
            kill(session.pid, SIGKILL)
            #expect(session.wait() == 128 + SIGKILL)
            let finished = eventually(timeout: 15) {
                ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").hasSuffix("\n30\n")
            }
            let written = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            #expect(finished, "the \(kind) step ran to its end after the runner died: \(written.split(separator: "\n").count) of 30 lines")
        }
    }
}
