import Foundation
import Testing

@testable import RunbookKit

/// Front matter written for a site generator (Hugo, MkDocs, Docusaurus): its keys are not errors.
@Suite("Site front matter")
struct SiteFrontMatterTests {
    @Test("Hugo's own keys are ignored without a finding")
    func hugoKeys() {
        let runbook = parse(
            """
            ---
            title: Node down
            weight: 10
            bookHidden: true
            bookCollapseSection: true
            type: docs
            aliases: [/old/path]
            tags: [node, kubelet]
            menu:
              main:
                parent: nodes
            draft: false
            date: 2021-03-04
            ---
            # Node down

            ```bash {id=look}
            kubectl get nodes
            ```

            """)
        #expect(runbook.diagnostics.isEmpty, "\(runbook.diagnostics.map(\.rendered))")
        #expect(runbook.title == "Node down")
        #expect(runbook.steps.count == 1)
    }

    @Test(
        "a key one edit from one of ours is a warning with a did-you-mean",
        arguments: [("parmas", "params"), ("timout", "timeout"), ("titel", "title"), ("Description", "description"), ("envs", "env")])
    func nearMiss(key: String, ours: String) {
        let runbook = parse("---\n\(key): x\n---\n- [ ] x {id=x}\n")
        let found = expectDiagnostic(runbook, line: 2, column: 1, .warning, "unknown-front-matter-key", ["'\(key)'", "did you mean '\(ours)'?"])
        #expect(found?.message.contains("ignored") == true)
        #expect(!runbook.hasErrors)
    }

    @Test("a key far from ours is ignored, whatever tool it belongs to")
    func farKeys() {
        let runbook = parse("---\nzzzzzz: 1\nsidebar_position: 3\nslug: /x\nhide: [toc]\nrunbook_url: https://x\n---\n- [ ] x {id=x}\n")
        #expect(runbook.diagnostics.isEmpty, "\(runbook.diagnostics.map(\.rendered))")
    }

    @Test("our keys may live under a 'runbook:' map; the site's keys beside it are the site's")
    func runbookMap() {
        let runbook = parse(
            """
            ---
            title: Page title
            params:
              hugo_thing: 1
            timout: not ours either
            runbook:
              timeout: 5m
              params:
                REGION:
                  default: eu
            ---
            ```bash {id=a}
            echo "$REGION"
            ```

            """)
        #expect(runbook.diagnostics.isEmpty, "\(runbook.diagnostics.map(\.rendered))")
        #expect(runbook.params.map(\.name) == ["REGION"])
        #expect(runbook.defaults.timeout == .seconds(300))
        #expect(runbook.title == "Page title", "the site's title stands in when the map has none")
    }

    @Test("inside the 'runbook:' map every key is ours: an unknown one is an error")
    func runbookMapUnknownKey() {
        let runbook = parse("---\nrunbook:\n  timout: 5m\n  title: Mine\n---\n- [ ] x {id=x}\n")
        expectDiagnostic(runbook, line: 3, column: 3, .error, "unknown-front-matter-key", ["'timout'", "did you mean 'timeout'?"])
        #expect(runbook.title == "Mine")
    }

    @Test("a 'runbook:' key that is not a map is an error")
    func runbookNotMap() {
        let runbook = parse("---\nrunbook: yes\n---\n- [ ] x {id=x}\n")
        expectDiagnostic(runbook, line: 2, column: 1, .error, "bad-front-matter-value", ["'runbook'", "mapping"])
    }

    @Test("a Hugo template instead of YAML is a warning, and the file is still read")
    func template() {
        let runbook = parse(
            """
            ---
            title: "{{ replace .Name "-" " " | title }}"
            date: {{ .Date }}
            draft: true
            ---
            # Body

            ```bash {id=a}
            true
            ```

            """)
        expectDiagnostic(runbook, line: 1, column: 1, .warning, "front-matter-template", ["template", "not YAML"])
        #expect(!runbook.hasErrors, "\(runbook.diagnostics.map(\.rendered))")
        #expect(runbook.steps.map(\.line) == [8])
        #expect(runbook.title == "Body")
    }

    @Test("invalid YAML without template markers is still an error")
    func invalidYAMLStaysError() {
        let runbook = parse("---\ntitle: x\n  bad: indent\n---\n- [ ] x {id=x}\n")
        expectDiagnostic(runbook, line: 3, column: 6, .error, "front-matter-yaml", ["not valid YAML"])
    }
}
