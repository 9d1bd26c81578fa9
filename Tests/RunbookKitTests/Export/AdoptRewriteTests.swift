import Foundation
import Testing

@testable import RunbookKit

/// `runbook adopt`: a wiki runbook made executable, nothing else changed.
@Suite("Adopt")
struct AdoptRewriteTests {
    static func adopt(_ text: String) -> (AdoptResult, Runbook) {
        let runbook = parse(text, path: "wiki.md")
        #expect(!runbook.hasErrors, "\(runbook.errors.map(\.rendered))")
        let result = AdoptRewrite.adopt(runbook)
        return (result, parse(String(decoding: result.adopted, as: UTF8.self), path: "wiki.md"))
    }

    static let wiki = """
        # Pod stuck

        Find the pod first.

        ```shell
        $ kubectl -n <namespace> get pods
        $ kubectl -n <namespace> describe pod <pod-name>
        ```

        ## Restart it

        ```bash
        $ kubectl -n <namespace> delete pod <pod-name>
        pod "web-1" deleted
        ```

        The manifest looks like this:

        ```bash
        apiVersion: v1
        kind: Pod
        ```

        - [ ] Tell the channel

        """

    @Test("ids from headings, prompts stripped where no output is shown, placeholders declared, examples re-tagged")
    func everything() throws {
        let (result, after) = Self.adopt(Self.wiki)
        #expect(
            String(decoding: result.adopted, as: UTF8.self) == """
                ---
                params:
                  NAMESPACE:
                    description: "namespace"
                    required: true
                  POD_NAME:
                    description: "pod name"
                    required: true
                ---
                # Pod stuck

                Find the pod first.

                ```shell {id=pod-stuck}
                kubectl -n "${NAMESPACE}" get pods
                kubectl -n "${NAMESPACE}" describe pod "${POD_NAME}"
                ```

                ## Restart it

                ```bash {id=restart-it}
                $ kubectl -n "${NAMESPACE}" delete pod "${POD_NAME}"
                pod "web-1" deleted
                ```

                The manifest looks like this:

                ```yaml
                apiVersion: v1
                kind: Pod
                ```

                - [ ] Tell the channel {id=tell-the-channel}

                """)
        #expect(after.diagnostics.isEmpty, "the result passes check --warnings-as-errors: \(after.diagnostics.map(\.rendered))")
        #expect(after.steps.map(\.form) == [.script, .transcript, nil])
        #expect(result.notes.isEmpty)
    }

    @Test("adopting an adopted file changes nothing")
    func idempotent() {
        let (first, _) = Self.adopt(Self.wiki)
        let (second, _) = Self.adopt(String(decoding: first.adopted, as: UTF8.self))
        #expect(!second.changed)
        #expect(second.diff(from: "a", to: "b").isEmpty)
    }

    @Test("the diff is a unified diff of what changed")
    func diff() {
        let (result, _) = Self.adopt("# Check\n\nSome prose.\n\n```bash\n$ uptime\n```\n")
        #expect(
            result.diff(from: "wiki.md", to: "wiki.md (adopted)")
                == "--- wiki.md\n+++ wiki.md (adopted)\n@@ -2,6 +2,6 @@\n \n Some prose.\n \n-```bash\n-$ uptime\n+```bash {id=check}\n+uptime\n ```\n")
    }

    @Test("params go where the front matter keeps ours: under params:, in a runbook: map, or at the end")
    func frontMatterPlaces() {
        let cases: [(String, String)] = [
            ("---\ntitle: T\nweight: 10\n---\n", "---\ntitle: T\nweight: 10\nparams:\n  HOST:\n    description: \"host\"\n    required: true\n---\n"),
            (
                "---\nparams:\n    OLD:\n        default: x\n---\n",
                "---\nparams:\n    HOST:\n      description: \"host\"\n      required: true\n    OLD:\n        default: x\n---\n"
            ),
            ("---\nparams: {}\n---\n", "---\nparams:\n  HOST:\n    description: \"host\"\n    required: true\n---\n"),
            (
                "---\nweight: 3\nrunbook:\n    timeout: 5m\n---\n",
                "---\nweight: 3\nrunbook:\n    params:\n      HOST:\n        description: \"host\"\n        required: true\n    timeout: 5m\n---\n"
            ),
        ]
        for (front, expected) in cases {
            let body = "```bash {id=a}\nping <host>\n```\n"
            let (result, after) = Self.adopt(front + body)
            let text = String(decoding: result.adopted, as: UTF8.self)
            #expect(text == expected + "```bash {id=a}\nping \"${HOST}\"\n```\n")
            #expect(after.diagnostics.filter { $0.rule != "unused-param" }.isEmpty, "\(after.diagnostics.map(\.rendered))")
        }
    }

    @Test("quoting follows where the placeholder stands")
    func quoting() {
        let (result, after) = Self.adopt(
            """
            ```bash {id=a}
            NODE_NAME='<value of instance label from alert>'
            echo 'node <node> is down' "in <zone>"
            export API_TOKEN=YOUR_TOKEN_HERE
            echo "$CLUSTER"
            ```

            """)
        let text = String(decoding: result.adopted, as: UTF8.self)
        #expect(text.contains("NODE_NAME=\"${NODE_NAME}\"\n"))
        #expect(text.contains("echo 'node '\"${NODE}\"' is down' \"in ${ZONE}\"\n"))
        #expect(text.contains("export API_TOKEN=\"${API_TOKEN}\"\n"))
        #expect(text.contains("  API_TOKEN:\n    description: \"api token\"\n    required: true\n    secret: true\n"))
        #expect(text.contains("  CLUSTER:\n    description: \"cluster\"\n    required: true\n"))
        #expect(after.diagnostics.isEmpty, "\(after.diagnostics.map(\.rendered))")
    }

    @Test("line ends and a byte order mark are kept; new lines take the file's line end")
    func lineEnds() {
        let text = "\u{FEFF}# T\r\n\r\n```bash\r\n$ ls <dir>\r\n```\r\n"
        let runbook = parse(bytes: Array(text.utf8))
        let result = AdoptRewrite.adopt(runbook)
        #expect(
            String(decoding: result.adopted, as: UTF8.self)
                == "\u{FEFF}---\r\nparams:\r\n  DIR:\r\n    description: \"dir\"\r\n    required: true\r\n---\r\n# T\r\n\r\n```bash {id=t}\r\nls \"${DIR}\"\r\n```\r\n"
        )
    }

    @Test("what adopt cannot decide it leaves, with a note")
    func notes() {
        let (result, after) = Self.adopt("# T\n\n```bash {id=a}\n./prepare\n$ ./apply\n```\n")
        #expect(!result.changed)
        #expect(result.notes.map(\.line) == [3])
        #expect(result.notes.first?.message.contains("put '$ ' before each command") == true)
        #expect(after.diagnostics(rule: "transcript-mix").count == 1)
    }

    @Test("comment-only, output-only and session blocks become blocks that never run")
    func examples() {
        let (result, after) = Self.adopt(
            "# T\n\n```bash {id=x timeout=1m}\n# gitlab-ctl restart consul\n```\n\n```sh\npgbouncer=# show pools;\n```\n\n```bash\n$ gpg --edit-key me\ngpg> quit\n```\n\n```shell\nNAME  READY\n```\n"
        )
        let text = String(decoding: result.adopted, as: UTF8.self)
        #expect(text.contains("```text\n# gitlab-ctl"))
        #expect(text.contains("```console\npgbouncer"))
        #expect(text.contains("```console\n$ gpg"))
        #expect(text.contains("```text\nNAME"))
        #expect(after.steps.isEmpty)
        #expect(after.diagnostics.map(\.rule) == ["no-steps"])
    }
}
