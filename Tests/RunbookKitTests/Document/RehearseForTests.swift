import Foundation
import Testing

@testable import RunbookKit

/// A block tagged `{rehearse-for=KEY}`: the rehearsal of the step with that key, never a step itself (issue 8, item 1).
@Suite("rehearse-for blocks")
struct RehearseForTests {
    static let text = """
        # Deploy

        ```bash {id=migrate}
        touch "$OUT/migrated"
        ```

        A rehearsal only looks:

        ```python {rehearse-for=migrate}
        print("would migrate 3 tables")
        ```

        ```bash
        echo after
        ```

        - [ ] Tell the channel
        """

    @Test("the block is attached to its step and is not a step: not counted, no ordinal taken, not a reference")
    func attached() throws {
        let runbook = parse(Self.text)
        #expect(!runbook.hasErrors, "\(runbook.diagnostics.map(\.rendered))")
        #expect(runbook.steps.map(\.key) == ["migrate", "deploy#2", "deploy#3"], "the step after the block keeps ordinal 2")
        #expect(runbook.steps.map(\.number) == [1, 2, 3])
        #expect(runbook.references.isEmpty)
        let block = try #require(runbook.steps[0].rehearsal)
        #expect(block.language == "python" && block.interpreter == "python3")
        #expect(block.code == "print(\"would migrate 3 tables\")\n")
        #expect(block.codeSHA256 == SHA256.hex(Array(block.code.utf8)))
        #expect(block.line == 9 && block.column == 1 && block.endLine == 11)
        #expect(block.prose == "A rehearsal only looks:")
        #expect(runbook.steps[1].rehearsal == nil && runbook.steps[2].rehearsal == nil)
        #expect(runbook.steps[1].prose == "", "the block and its prose are not the next step's prose")
        #expect(!runbook.steps.contains { $0.code?.contains("would migrate") == true })
    }

    @Test("a block for a step under a heading names its full key; prose and other blocks may stand between")
    func fullKeyAndProse() throws {
        let runbook = parse(
            """
            # Ops

            ## Migrate

            ```bash {name=apply}
            ./migrate
            ```

            Some prose.

            ```yaml
            shown: only
            ```

            ```sh {rehearse-for=ops/migrate/apply}
            ./migrate --plan
            ```
            """)
        #expect(!runbook.hasErrors, "\(runbook.diagnostics.map(\.rendered))")
        #expect(runbook.steps.count == 1)
        #expect(runbook.steps[0].rehearsal?.interpreter == "sh")
        #expect(runbook.references.count == 1)
    }

    @Test("check points at each misuse, with a did-you-mean where one applies")
    func lintMarkers() {
        assertMarkedFindings(
            """
            # R

            ```bash {id=migrate}
            ./migrate
            ```

            ```bash {⟦1⟧rehearse-for=migrat}
            echo typo
            ```

            ```bash {⟦2⟧rehearse-for=later}
            echo before its step
            ```

            ```bash {id=later}
            ./later
            ```

            ```bash {id=between}
            ./between
            ```

            ```bash {⟦3⟧rehearse-for=later}
            echo another step stands between
            ```

            ```bash {id=twice rehearse="echo attribute"}
            ./twice
            ```

            ```bash {⟦4⟧rehearse-for=twice}
            echo and a block
            ```

            ```bash {id=two}
            ./two
            ```

            ```bash {rehearse-for=two}
            echo one
            ```

            ```bash {⟦5⟧rehearse-for=two}
            echo two
            ```

            ```sql {⟦6⟧rehearse-for=last}
            select 1;
            ```

            ```bash {id=last}
            ./last
            ```

            ```bash {rehearse-for=last ⟦7⟧timeout=5s}
            echo extra attribute
            ```

            - [ ] Look at the graphs {id=manual}

            ```bash {⟦8⟧rehearse-for=manual}
            echo a manual step has no rehearsal
            ```

            ```bash {id=end ⟦9⟧rehearse-fr=end}
            ./end
            ```

            ```bash {⟦10⟧rehearse-for}
            echo no key
            ```
            """,
            [
                1: .error("unknown-rehearse-for", "'migrat'", "did you mean 'migrate'"),
                2: .error("misplaced-rehearse-for", "'later'", "line 15", "after"),
                3: .error("misplaced-rehearse-for", "'later'", "'between'", "line 19"),
                4: .error("duplicate-rehearsal", "'twice'", "rehearse="),
                5: .error("duplicate-rehearsal", "'two'", "line 39"),
                6: .error("rehearse-for-not-runnable", "'sql'", "bash"),
                7: .error("bad-rehearse-for", "'timeout'"),
                8: .error("bad-rehearse-for", "'manual'", "manual step"),
                9: .error("unknown-attribute", "'rehearse-fr'", "did you mean 'rehearse-for'"),
                10: .error("bad-rehearse-for", "takes the key"),
            ], path: "r.md")
    }

    @Test("show lists the block under its step; show --json gives it as the step's rehearsal")
    func shown() throws {
        let runbook = parse(Self.text)
        let text = PlanText(runbook, style: Style(enabled: false)).render()
        #expect(text.contains("rehearse-for block  python  line 9 (runs instead of the step in a rehearsal)"), "\(text)")
        let json = try encodeJSON(PlanDocument(runbook))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let steps = try #require(object["steps"] as? [[String: Any]])
        #expect(steps.count == 3)
        let block = try #require(steps[0]["rehearsal"] as? [String: Any])
        #expect(Set(block.keys) == ["language", "interpreter", "code", "code_sha256", "prose", "line", "column", "end_line"])
        #expect(block["line"] as? Int == 9 && block["interpreter"] as? String == "python3")
        #expect(steps[1]["rehearsal"] == nil)
    }

    @Test("adopt leaves a rehearse-for block exactly as it is")
    func adoptLeavesItAlone() {
        let text = """
            # Pods

            ```bash {id=restart}
            $ kubectl -n <namespace> delete pod <pod-name>
            ```

            ```bash {rehearse-for=restart}
            $ kubectl -n <namespace> get pod <pod-name>
            apiVersion: v1
            ```
            """
        let runbook = parse(text)
        let adopted = String(decoding: AdoptRewrite.adopt(runbook).adopted, as: UTF8.self)
        #expect(adopted.contains("```bash {rehearse-for=restart}\n$ kubectl -n <namespace> get pod <pod-name>\napiVersion: v1\n```"), "\(adopted)")
        #expect(adopted != text, "the step itself was adopted")
        #expect(parse(adopted).steps.first?.rehearsal != nil)
    }
}
