import Foundation
import Testing

@testable import RunbookKit

@Suite("Markers")
struct MarkerTests {
    static func marked(_ name: String) throws -> String {
        String(decoding: try Fixtures.bytes(name), as: UTF8.self)
    }

    @Test("the marker helper strips markers and finds their byte columns")
    func helper() {
        let text = MarkedText("a⟦1⟧b\né⟦2⟧x⟦3⟧\n⟦10⟧")
        #expect(text.text == "ab\néx\n")
        #expect(text.markers[1]! == (1, 2))
        #expect(text.markers[2]! == (2, 3), "é is two UTF-8 bytes")
        #expect(text.markers[3]! == (2, 4))
        #expect(text.markers[10]! == (3, 1))
        #expect(text.markers.count == 4)
        #expect(MarkedText("no ⟦markers⟧ here").markers.isEmpty)
    }

    @Test("lint rules point where the markers are")
    func lintMarkers() throws {
        try assertMarkedFindings(
            Self.marked("lint-markers.md"),
            [
                1: .warning("unused-param", "'UNUSED_PARAM'"),
                2: .warning("unknown-front-matter-key", "'titel'", "did you mean 'title'"),
                3: .error("unknown-attribute", "'timout'", "did you mean 'timeout'"),
                4: .error("bad-attribute-value", "'retries'", "not '-1'"),
                5: .warning("ignored-attribute", "'closeTerminalOnSuccess'"),
                6: .warning("undeclared-param", "'NOT_DECLARED'"),
                7: .warning("unstable-key", "'markers#3'"),
                8: .error("malformed-attributes", "never closed with '}'"),
                9: .warning("reference-with-attributes", "'yaml'"),
                10: .error("duplicate-attribute", "'id'"),
                11: .error("bad-attribute-value", "'confirm'", "not 'perhaps'"),
                12: .warning("unstable-key", "'markers#5'"),
                13: .error("duplicate-key", "'dupkey'", "used again"),
                14: .error("duplicate-key", "'dupkey'", "already used"),
                15: .warning("empty-task", "no text"),
                16: .warning("empty-step", "empty"),
                17: .error("unclosed-fence", "never closed", "```"),
            ], path: "lint-markers.md")
    }

    @Test("front matter rules point where the markers are")
    func frontMatterMarkers() throws {
        try assertMarkedFindings(
            Self.marked("front-matter-markers.md"),
            [
                1: .warning("unknown-front-matter-key", "'tittle'", "did you mean 'title'"),
                2: .error("unknown-param-setting", "'requried'", "did you mean 'required'"),
                3: .error("bad-param", "'9LIVES'"),
                4: .error("secret-default", "'TOKEN'"),
                5: .error("bad-param", "'http'", "does not match"),
                6: .warning("required-with-default", "'REQ'"),
                7: .error("bad-param", "'BROKEN'", "not a valid regular expression"),
                8: .warning("unused-param", "'NOBODY'"),
            ])
    }

    @Test("params lint in nested containers and other languages")
    func paramMarkers() {
        assertMarkedFindings(
            """
            ---
            params:
            ⟦1⟧  DECLARED: {}
            ---
            # Params

            1. In a list

               ```bash {id=list}
               echo ⟦2⟧$IN_LIST ${HOME} $RUNBOOK_STEP
               ```

            > ```python {id=quote}
            > import os
            > print(os.⟦3⟧environ["IN_QUOTE"], os.⟦4⟧getenv("ALSO"))
            > ```

            - [ ] Check {id=check}
              ```sh
              for X in 1 2; do echo "$X ⟦5⟧${AFTER_LOOP}"; done
              ```
            """,
            [
                1: .warning("unused-param", "'DECLARED'"),
                2: .warning("undeclared-param", "'IN_LIST'"),
                3: .warning("undeclared-param", "'IN_QUOTE'"),
                4: .warning("undeclared-param", "'ALSO'"),
                5: .warning("undeclared-param", "'AFTER_LOOP'"),
            ], ignoring: ["unstable-key"])
    }

    @Test("attribute findings in Runme and JSON forms")
    func attributeMarkers() {
        assertMarkedFindings(
            """
            ```sh { name=a ⟦1⟧background=true ⟦2⟧interactive=maybe }
            true
            ```

            ```sh ⟦3⟧{"name":"b","timout":"1m"}
            true
            ```

            ```bash {id=c ⟦4⟧expect-exit=0,256 ⟦5⟧on-failure=retry}
            true
            ```
            """,
            [
                1: .warning("ignored-attribute", "'background'"),
                2: .error("bad-attribute-value", "'interactive'"),
                3: .error("unknown-attribute", "'timout'"),
                4: .error("bad-attribute-value", "'expect-exit'", "0 to 255"),
                5: .error("bad-attribute-value", "'on-failure'", "not 'retry'"),
            ])
    }

    @Test("a marker test fails when a finding is missing or unmarked")
    func markerHelperCanFail() {
        withKnownIssue("deliberately wrong expectations: the helper must report them") {
            assertMarkedFindings("```bash {id=a ⟦1⟧timout=1}\ntrue\n```\n", [1: .warning("unknown-attribute")])
        }
        withKnownIssue("an unmarked finding must be reported") {
            assertMarkedFindings("```bash {id=a timout=1}\ntrue\n```\n", [:])
        }
    }
}
