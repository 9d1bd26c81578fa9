import Foundation
import Testing

@testable import RunbookKit

/// Placeholder values: one question per name, quoting for where each placeholder stands, proved by bash.
@Suite("placeholder values")
struct PlaceholderValuesTests {
    static let doc = """
        # P

        ```bash {id=a}
        printf '[%s]' <value> "x=<value>" 'y=<value>'
        cat <<EOF
        h=<value>
        EOF
        cat <<'EOF'
        l=<value>
        EOF
        ```

        ```bash {id=b}
        echo <value> YOUR_TOKEN_HERE
        ```
        """

    /// What bash prints for `code`.
    private func bash(_ code: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["--noprofile", "--norc", "-c", code]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test("a value is the same text after the shell reads it, outside quotes, in '…', in \"…\" and in both heredocs")
    func quoting() throws {
        let runbook = parse(Self.doc)
        let step = try #require(runbook.step(key: "a"))
        for value in ["my ns; echo INJECTED", "it's \"$HOME\" `id` \\n $(date)", "*", "-n", "a  b\tc"] {
            let values = try PlaceholderResolver.resolve(
                [step], sets: [("VALUE", value)], recorded: [], environment: [:], prompt: nil, path: "t.md")
            let code = try #require(values.code(of: step, params: []))
            #expect(try bash(code) == "[\(value)][x=\(value)][y=\(value)]h=\(value)\nl=\(value)\n", "\(code)")
        }
    }

    @Test("a secret-looking value is never written into the code: the code reads it from its own variable")
    func secretByReference() throws {
        let runbook = parse(Self.doc)
        let step = try #require(runbook.step(key: "b"))
        let values = try PlaceholderResolver.resolve(
            [step], sets: [("VALUE", "v"), ("TOKEN", "s3cret 'token'; x")], recorded: [], environment: [:], prompt: nil, path: "t.md")
        let code = try #require(values.code(of: step, params: []))
        #expect(!code.contains("s3cret"), "\(code)")
        #expect(code.contains("\"${RUNBOOK_PLACEHOLDER_TOKEN}\""), "\(code)")
        let exports = values.environment.map { "export \($0.key)=\(PlaceholderValues.quoted($0.value, .none)); " }.joined()
        #expect(try bash(exports + code) == "v s3cret 'token'; x\n")
    }

    @Test("an undeclared ${NAME} is valid shell: the environment, --set or an answer fills it; with none it is left unset, and said")
    func variables() throws {
        let runbook = parse("# V\n\n```bash {id=v}\necho \"cluster=${CLUSTER}\"\n```\n")
        let step = try #require(runbook.step(key: "v"))
        #expect(step.placeholders.map(\.kind) == [.variable])
        let unset = try PlaceholderResolver.resolve([step], sets: [], recorded: [], environment: [:], prompt: nil, path: "t.md")
        #expect(unset.recorded == [ParamValue(name: "CLUSTER", value: "", secret: false, source: "unset")])
        #expect(unset.code(of: step, params: []) == "echo \"cluster=${CLUSTER}\"\n", "left to the shell")
        let fromEnv = try PlaceholderResolver.resolve([step], sets: [], recorded: [], environment: ["CLUSTER": "c"], prompt: nil, path: "t.md")
        #expect(fromEnv.values.isEmpty && fromEnv.fromEnvironment == ["CLUSTER"])
        let set = try PlaceholderResolver.resolve([step], sets: [("CLUSTER", "a \"b\"")], recorded: [], environment: [:], prompt: nil, path: "t.md")
        #expect(try bash(try #require(set.code(of: step, params: []))) == "cluster=a \"b\"\n")
    }

    @Test("one question per name across steps; --set and a resumed run's values are not asked; secrets are not reused")
    func questions() throws {
        let runbook = parse(Self.doc)
        var asked: [String] = []
        let values = try PlaceholderResolver.resolve(
            runbook.steps, sets: [], recorded: [ParamValue(name: "TOKEN", value: nil, secret: true, source: "prompt")], environment: [:],
            prompt: { question in
                asked.append(question.name)
                return .value(question.name == "TOKEN" ? "long-enough-token" : "v")
            }, path: "t.md")
        #expect(asked == ["VALUE", "TOKEN"])
        #expect(values.recorded.map(\.value) == ["v", nil])
        #expect(values.secretValues == ["long-enough-token"])
        let again = try PlaceholderResolver.resolve(
            runbook.steps, sets: [("TOKEN", "another-long-token")], recorded: values.recorded, environment: [:], prompt: { _ in .none },
            path: "t.md")
        #expect(again.values.map(\.source) == ["journal", "set"])
    }

    @Test("without a value the error names the step, file:line:column, the placeholder and the --set that fills it")
    func missing() throws {
        let runbook = parse(Self.doc)
        #expect(throws: ParamError.self) {
            _ = try PlaceholderResolver.resolve(runbook.steps, sets: [("VALUE", "v")], recorded: [], environment: [:], prompt: nil, path: "t.md")
        }
        do {
            _ = try PlaceholderResolver.resolve(runbook.steps, sets: [("VALUE", "v")], recorded: [], environment: [:], prompt: nil, path: "t.md")
        } catch {
            #expect(
                error.problems == [
                    "step 'b' (t.md:14:14) holds placeholder 'YOUR_TOKEN_HERE' with no value, so it would never run; pass --set TOKEN=VALUE, or run on a terminal to be asked",
                    "nothing was run or recorded; give those values and run again",
                ])
        }
        let values = try PlaceholderResolver.resolve(
            [try #require(runbook.step(key: "a"))], sets: [], recorded: [], environment: [:], prompt: { _ in .value("v") }, path: "t.md")
        let b = try #require(runbook.step(key: "b"))
        #expect(values.code(of: b, params: []) == nil, "a step with a placeholder nothing filled has no code to run")
        #expect(values.unfilled(in: b).map(\.token) == ["YOUR_TOKEN_HERE"])
    }

    @Test("a short secret, an empty value and a line break in a heredoc are refused")
    func refused() throws {
        let runbook = parse(Self.doc)
        for (name, value, words) in [
            ("TOKEN", "short", "must be at least 8"), ("VALUE", "", "empty value"), ("VALUE", "a\nEOF", "line break"),
        ] {
            do {
                _ = try PlaceholderResolver.resolve(
                    runbook.steps, sets: [(name, value), ("VALUE", "v"), ("TOKEN", "long-enough-token")].filter { $0.0 != name } + [(name, value)],
                    recorded: [], environment: [:], prompt: nil, path: "t.md")
                Issue.record("\(name)=\(value) was accepted")
            } catch {
                #expect(error.problems.contains { $0.contains(words) }, "\(error.problems)")
            }
        }
    }
}
