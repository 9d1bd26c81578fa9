import Testing

@testable import RunbookKit

@Suite("commands a shell step calls, as a rehearsal reads them")
struct RehearsalChecksTests {
    @Test("names in arithmetic are variables, not commands; command substitutions still count")
    func arithmetic() {
        #expect(RehearsalChecks.commandsUsed("x=$((n / 2))\ncurl -s $x") == ["curl"])
        #expect(RehearsalChecks.commandsUsed("(( count++ ))\nfoo") == ["foo"])
        #expect(RehearsalChecks.commandsUsed("d=$(date +%s)\n(cd /tmp && make)") == ["date", "make"], "cd is a builtin")
        #expect(RehearsalChecks.commandsUsed("kubectl get pods | grep web && jq . f") == ["kubectl", "grep", "jq"])
    }
}
