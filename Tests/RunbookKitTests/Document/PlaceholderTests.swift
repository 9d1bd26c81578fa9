import Foundation
import Testing

@testable import RunbookKit

/// Placeholders: `<namespace>`, `YOUR_TOKEN_HERE`, an undeclared `${CLUSTER}`.
@Suite("Placeholders")
struct PlaceholderTests {
    @Test("check lists each placeholder per step at its line and column")
    func markers() {
        assertMarkedFindings(
            """
            # Pods

            ```bash {id=delete}
            kubectl -n ⟦1⟧<namespace> delete pod ⟦2⟧<pod-name>
            kubectl -n <namespace> get pods
            export TOKEN=⟦3⟧YOUR_TOKEN_HERE
            curl -H "Authorization: Bearer ⟦4⟧<api token>" "https://x/${CLUSTER}"
            ```

            ## Again

            ```bash {id=again}
            $ oc get klusterlet-⟦5⟧<cluster ID> -n ⟦6⟧<namespace>
            ```

            """,
            [
                1: .warning("undeclared-placeholder", "'<namespace>'", "step 'delete'", "NAMESPACE", "redirection", "runbook adopt"),
                2: .warning("undeclared-placeholder", "'<pod-name>'", "POD_NAME"),
                3: .warning("undeclared-placeholder", "'YOUR_TOKEN_HERE'", "TOKEN", "secret: true"),
                4: .warning("undeclared-placeholder", "'<api token>'", "API_TOKEN"),
                5: .warning("undeclared-placeholder", "'<cluster ID>'", "step 'again'", "CLUSTER_ID"),
                6: .warning("undeclared-placeholder", "'<namespace>'", "step 'again'"),
            ], ignoring: ["undeclared-param"])
    }

    @Test("each placeholder has its name, kind, position in its command and quoting")
    func model() throws {
        let runbook = parse(
            """
            ```bash {id=a}
            NODE_NAME='<value of instance label from alert>'
            kubectl -n <namespace> logs "pod-<pod>" | grep "$CLUSTER"
            cat <<EOF
            key: <api-key>
            EOF
            ```

            """)
        let step = try #require(runbook.step(key: "a"))
        let found = step.placeholders.map { "\($0.name) \($0.kind.rawValue) \($0.line):\($0.column) \($0.quoting.rawValue) \($0.token)" }
        #expect(
            found == [
                "NODE_NAME angle 2:12 single <value of instance label from alert>", "NAMESPACE angle 3:12 none <namespace>",
                "POD angle 3:34 double <pod>", "CLUSTER variable 3:49 double $CLUSTER", "API_KEY angle 5:6 heredoc <api-key>",
            ])
        let text = try #require(step.commands?.first?.text)
        for p in step.placeholders {
            let bytes = Array(text.utf8)[p.offset..<(p.offset + p.length)]
            #expect(String(decoding: bytes, as: UTF8.self) == p.token, "offset and length point at the token in the command")
        }
        #expect(step.placeholders.first?.label == "value of instance label from alert")
        #expect(step.placeholders.map(\.secret) == [false, false, false, false, true])
    }

    @Test(
        "what is not a placeholder",
        arguments: [
            "sort < in.txt > out.txt", "sort <in.txt >out.txt", "diff <(ls a) <(ls b)", "cat <<EOF\nx\nEOF", "echo \"<b>bold</b>\"",
            "git commit --author \"Me <me@example.com>\"", "# replace <namespace> first", "echo $HOME ${PATH}", "[[ $a<$b ]]",
            "echo YOUR_ or _HERE Your_Token_Here", "echo ${CLUSTER:-prod}", "echo ${#YOUR_TOKEN_HERE} ${!YOUR_KEY_HERE}",
        ])
    func notPlaceholders(code: String) {
        let runbook = parse("```bash {id=a}\n\(code)\n```\n")
        #expect(runbook.steps.first?.placeholders.filter { $0.kind != .variable } == [], "\(runbook.steps.first?.placeholders ?? [])")
        expectNone(runbook, "undeclared-placeholder")
    }

    @Test("a placeholder named like a declared param is still reported, pointing at the param")
    func declared() {
        let runbook = parse("---\nparams:\n  NAMESPACE: {required: true}\n---\n```bash {id=a}\nkubectl -n <namespace> get pods\n```\n")
        expectDiagnostic(runbook, line: 6, column: 12, .warning, "placeholder-for-param", ["NAMESPACE", "\"${NAMESPACE}\""])
        #expect(runbook.steps.first?.placeholders.first?.declared == true)
    }

    @Test("the same placeholder in several steps is one name, listed once with its steps")
    func summary() throws {
        let runbook = parse(
            "# S\n\n```bash {id=one}\noc get <namespace>\n```\n\n```bash {id=two}\noc get -n <namespace> <db-password>\n```\n\n```bash {id=three}\necho $CLUSTER\n```\n"
        )
        #expect(runbook.placeholders.map(\.name) == ["NAMESPACE", "DB_PASSWORD", "CLUSTER"])
        #expect(runbook.placeholders.first?.steps == ["one", "two"])
        #expect(runbook.placeholders.map(\.secret) == [false, true, false])
        let data = try JSONEncoder().encode(PlanDocument(runbook))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let listed = try #require(object["placeholders"] as? [[String: Any]])
        #expect(listed.map { $0["name"] as? String } == ["NAMESPACE", "DB_PASSWORD", "CLUSTER"])
        let steps = try #require(object["steps"] as? [[String: Any]])
        let first = try #require((steps[0]["placeholders"] as? [[String: Any]])?.first)
        #expect(first["token"] as? String == "<namespace>")
        #expect(first["line"] as? Int == 4)
        #expect(first["column"] as? Int == 8)
    }

    @Test("names: words to UPPER_SNAKE, 'your' and 'here' dropped, the assigned variable's name when there is one")
    func names() {
        #expect(PlaceholderScanner.paramName("pod-name") == "POD_NAME")
        #expect(PlaceholderScanner.paramName("cluster ID") == "CLUSTER_ID")
        #expect(PlaceholderScanner.paramName("YOUR_TOKEN_HERE") == "TOKEN")
        #expect(PlaceholderScanner.paramName("your email") == "EMAIL")
        #expect(PlaceholderScanner.paramName("2fa code") == "P_2FA_CODE")
        #expect(PlaceholderScanner.looksSecret("GITLAB_API_KEY"))
        #expect(PlaceholderScanner.looksSecret("DB_PASSWORD"))
        #expect(!PlaceholderScanner.looksSecret("KEYSPACE"))
        let runbook = parse("```bash {id=a}\nexport GITLAB_TOKEN=CHANGEME\n```\n")
        #expect(runbook.steps.first?.placeholders.map(\.name) == ["GITLAB_TOKEN"])
    }
}
