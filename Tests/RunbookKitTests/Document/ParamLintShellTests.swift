import Foundation
import Testing

@testable import RunbookKit

/// The params lint on shell found in wiki runbooks: `while read NAME`, and positions after `\` continuations.
@Suite("Params lint on shell")
struct ParamLintShellTests {
    @Test("'while read NAME' and 'if read NAME' assign NAME")
    func readAfterKeyword() {
        let runbook = parse(
            "```bash {id=a}\nls | while read FILE; do echo \"$FILE\"; done\nif read -r LINE; then echo \"$LINE\"; fi\n! read GOT && echo \"$GOT\"\n```\n")
        expectNone(runbook, "undeclared-param")
    }

    @Test("a read after lines ending in '\\' is reported at its own line")
    func positionsAfterContinuation() {
        assertMarkedFindings(
            """
            ```bash {id=a}
            curl -s \\
              --header "X: y" \\
              "https://example.com/⟦1⟧$MISSING"
            echo ⟦2⟧$ALSO_MISSING
            ```

            """, [1: .warning("undeclared-param", "'MISSING'"), 2: .warning("undeclared-param", "'ALSO_MISSING'")])
    }
}
