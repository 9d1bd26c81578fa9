import Foundation
import Testing

@testable import RunbookKit

/// Console transcripts: `$ ` prompts before commands, output after them.
@Suite("Transcripts")
struct TranscriptTests {
    static func step(_ body: String) -> (Runbook, Step?) {
        let runbook = parse("# T\n\n```bash {id=s}\n\(body)\n```\n")
        return (runbook, runbook.step(key: "s"))
    }

    @Test("a block of commands after '$ ' is a transcript; the other lines are the expected output")
    func commandsAndOutput() throws {
        let (runbook, found) = Self.step(
            """
            $ kubectl get pods -n kube-system
            NAME      READY
            web-1     1/1
            $ kubectl delete pod web-1
            """)
        let step = try #require(found)
        #expect(step.form == .transcript)
        let commands = try #require(step.commands)
        #expect(commands.map(\.text) == ["kubectl get pods -n kube-system", "kubectl delete pod web-1"])
        #expect(commands.map(\.expectedOutput) == ["NAME      READY\nweb-1     1/1", ""])
        #expect(commands.map(\.line) == [4, 7])
        #expect(commands.map(\.column) == [3, 3])
        #expect(commands.map(\.prompt) == ["$ ", "$ "])
        #expect(commands.map(\.outputLine) == [5, nil])
        #expect(runbook.diagnostics(rule: "transcript-mix").isEmpty)
        #expect(step.code?.hasPrefix("$ kubectl") == true, "the code stays as written")
    }

    @Test("continuations stay with their command: a trailing backslash, '> ' lines, heredocs, open compounds")
    func continuations() throws {
        let (_, found) = Self.step(
            """
            $ kubectl logs web-1 \\
                --tail 10
            $ cat <<EOF > /tmp/x
            > a: 1
            > EOF
            $ for i in 1 2; do
            > echo $i
            > done
            1
            2
            $ cat <<'END'
            $ not a prompt
            END
            $ echo one |
              tr a-z A-Z
            ONE
            """)
        let commands = try #require(found?.commands)
        #expect(
            commands.map(\.text) == [
                "kubectl logs web-1 \\\n    --tail 10", "cat <<EOF > /tmp/x\na: 1\nEOF", "for i in 1 2; do\necho $i\ndone",
                "cat <<'END'\n$ not a prompt\nEND", "echo one |\n  tr a-z A-Z",
            ])
        #expect(commands.map(\.expectedOutput) == ["", "", "1\n2", "", "ONE"])
        #expect(commands.map(\.endLine) == [5, 8, 11, 16, 18])
    }

    @Test(
        "prompts as authors copy them",
        arguments: [
            ("$ ls", "$ "), ("$> ls", "$> "), ("user@db-1:~$ ls", "user@db-1:~$ "), ("console-01.internal:~$ ls", "console-01.internal:~$ "),
            ("[root@db1 ~]# ls", "[root@db1 ~]# "), ("PS> ls", "PS> "), ("PS C:\\Users\\me> ls", "PS C:\\Users\\me> "),
            ("  $ ls", "  $ "),
        ])
    func prompts(line: String, prompt: String) throws {
        let (_, found) = Self.step(line)
        let step = try #require(found)
        #expect(step.form == .transcript)
        #expect(step.commands?.first?.text == "ls")
        #expect(step.commands?.first?.prompt == prompt)
        #expect(step.commands?.first?.column == prompt.utf8.count + 1)
    }

    @Test(
        "lines that are not prompts keep a block a script",
        arguments: ["$HOME/bin/tool", "# a comment\necho hi", "cat <<EOF\n$ quoted in a heredoc\nEOF", "echo \"\n$ in a string\n\"", "NAME=$ echo"])
    func scripts(body: String) throws {
        let (_, found) = Self.step(body)
        let step = try #require(found)
        #expect(step.form == .script)
        #expect(step.commands?.map(\.text) == [body])
        #expect(step.commands?.first?.expectedOutput == nil)
    }

    @Test("comments between commands are not output; a comment right after a command is")
    func comments() throws {
        let (runbook, found) = Self.step(
            """
            # Stop periodic runs first.

            $ sudo service chef-client stop

            # Examples: mv /etc/chef /etc/chef.disabled

            $ crontab -l
            # Chef Name: backup
            0 0 * * * /opt/backup.sh
            """)
        let commands = try #require(found?.commands)
        #expect(commands.map(\.expectedOutput) == ["", "# Chef Name: backup\n0 0 * * * /opt/backup.sh"])
        #expect(runbook.diagnostics.filter { $0.rule != "undeclared-param" }.isEmpty, "\(runbook.diagnostics.map(\.rendered))")
    }

    @Test("check says where a block mixes commands and output in a way it cannot split")
    func mixes() {
        assertMarkedFindings(
            """
            # Mix

            ```bash {id=before}
            ⟦1⟧./bin/prepare
            $ ./bin/apply
            ```

            ```bash {id=session}
            $ gpg --edit-key me@example.com
            Secret key is available.
            ⟦2⟧gpg> key 1
            gpg> quit
            ```

              ```sh {id=indented}
              $ redis-cli
              ⟦3⟧127.0.0.1:6379> info replication
              ```

            """,
            [
                1: .warning("transcript-mix", "before the first prompt", "'$ '"),
                2: .warning("transcript-mix", "another program's prompt ('gpg>')", "console"),
                3: .warning("transcript-mix", "'127.0.0.1:6379>'"),
            ])
    }

    @Test("the params lint reads a transcript's commands, not its output")
    func paramsLint() {
        assertMarkedFindings(
            """
            # Vars

            ```bash {id=a}
            $ NODE=web-1
            $ echo "$NODE" ⟦1⟧$MISSING
            $HOME and $NOT_READ_IN_OUTPUT
            ```

            """, [1: .warning("undeclared-param", "'MISSING'")])
    }

    @Test("show --json gives every code step a form and its commands")
    func json() throws {
        let runbook = parse("# J\n\n```bash {id=t}\n$ date\nMon\n```\n\n```python {id=p}\nprint(1)\n```\n\n- [ ] check {id=m}\n")
        let data = try JSONEncoder().encode(PlanDocument(runbook))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let steps = try #require(object["steps"] as? [[String: Any]])
        #expect(steps.map { $0["form"] as? String } == ["transcript", "script", nil])
        let commands = try #require(steps[0]["commands"] as? [[String: Any]])
        #expect(commands.first?["text"] as? String == "date")
        #expect(commands.first?["expected_output"] as? String == "Mon")
        #expect(commands.first?["prompt"] as? String == "$ ")
        #expect(commands.first?["output_line"] as? Int == 5)
        #expect((steps[1]["commands"] as? [[String: Any]])?.first?["text"] as? String == "print(1)")
    }

    @Test("show names a transcript step's form and lists its placeholders")
    func planText() {
        let runbook = parse("# P\n\n```bash {id=p}\n$ oc get pods -n <namespace>\n$ oc get <kind>\n```\n")
        let text = PlanText(runbook, style: .plain).render()
        #expect(text.contains("p  bash transcript (2 commands)  line 3"), "\(text)")
        #expect(text.contains("placeholders: <namespace> (NAMESPACE), <kind> (KIND)"), "\(text)")
    }
}
