import Foundation
import Testing

@testable import RunbookKit

/// Every JSON key the `show --json` model writes is snake_case, like the journal's and `runs --json`'s.
@Suite("Plan JSON keys")
struct PlanJSONKeyTests {
    /// The parts of a parsed runbook that `show --json` writes, encoded as they are there.
    struct Plan: Encodable {
        var params: [Param]
        var defaults: Defaults
        var sections: [Section]
        var steps: [Step]
        var references: [ReferenceBlock]
        var diagnostics: [Diagnostic]

        init(_ runbook: Runbook) {
            params = runbook.params
            defaults = runbook.defaults
            sections = runbook.sections
            steps = runbook.steps
            references = runbook.references
            diagnostics = runbook.diagnostics
        }
    }

    /// Sets every front matter key, every param setting and every step attribute, so no optional key is left out.
    static let text = """
        ---
        title: Keys
        description: Every key set.
        shell: bash
        timeout: 10m
        dir: /srv
        env:
          MODE: fast
        params:
          TOKEN:
            description: API token
            required: true
            secret: true
            pattern: "[a-z]+"
          REGION:
            default: eu-west-1
        ---
        # Keys

        ```bash {id=all name=every timeout=1h30m confirm retries=3 on-failure=continue interactive dir=/srv/app env=LEVEL=two skip="waiting for INC-42" idempotent expect-exit=0,1}
        echo "$TOKEN $REGION"
        ```

        ```python {rehearse-for=all}
        print("rehearsed")
        ```

        - [x] Tick it {id=tick}

        ```console {id=shown}
        $ runbook run keys.md
        ```

        """

    /// Every key of every object in `value`, at any depth.
    static func keys(in value: Any) -> Set<String> {
        if let object = value as? [String: Any] {
            return object.reduce(into: Set(object.keys)) { $0.formUnion(keys(in: $1.value)) }
        }
        if let array = value as? [Any] {
            return array.reduce(into: Set<String>()) { $0.formUnion(keys(in: $1)) }
        }
        return []
    }

    @Test("no key holds '-' or an upper-case letter")
    func snakeCase() throws {
        let runbook = parse(Self.text, path: "keys.md")
        #expect(!runbook.diagnostics.isEmpty, "the reference with attributes gives a warning, so diagnostics are encoded too")
        let data = try JSONEncoder().encode(Plan(runbook))
        let keys = Self.keys(in: try JSONSerialization.jsonObject(with: data))
        let bad = keys.filter { $0.contains("-") || $0.contains(where: \.isUppercase) }
        #expect(bad.isEmpty, "keys not in snake_case: \(bad.sorted())")
        // The renamed keys are there, so the walk saw them.
        for key in ["key_source", "end_line", "code_sha256", "on_failure", "skip_reason", "expect_exit", "default", "severity", "rehearsal", "prose"] {
            #expect(keys.contains(key), "\(key) missing from \(keys.sorted())")
        }
    }
}
