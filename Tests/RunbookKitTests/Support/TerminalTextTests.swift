import Testing

@testable import RunbookKit

@Suite("what a terminal finally shows")
struct TerminalTextTests {
    @Test("carriage returns and backspaces overwrite, erases erase, colours and titles are dropped")
    func rendering() {
        let bytes = Array(
            "progress 10%\rprogress 55%\rprogress 100%\r\u{1B}[Kdone\r\nPassword: \r\n\u{1B}[31mred\u{1B}[0m ok\u{8}\u{8}OK\n\u{1B}]0;title\u{7}abc\u{1B}[2Dz\n"
                .utf8)
        #expect(TerminalText.render(bytes) == "done\nPassword:\nred OK\nazc")
    }

    @Test("a cleared screen shows only what came after; cursor moves are followed")
    func cursor() {
        #expect(TerminalText.render(Array("old\n\u{1B}[2Jnew\u{1B}[1;1HN\u{1B}[5Gx\n".utf8)) == "New x")
        #expect(TerminalText.render(Array("a\nb\nc\u{1B}[2Ax\n".utf8)) == "ax\nb\nc")
    }
}
