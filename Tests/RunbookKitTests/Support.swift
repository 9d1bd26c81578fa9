import Foundation
import Testing

@testable import RunbookKit

/// Test helpers: fixtures, parsing from text, and diagnostic expectations.
enum Fixtures {
    /// The copied `Fixtures` folder inside the test bundle.
    static var directory: URL {
        get throws {
            try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil), "Fixtures folder is missing from the test bundle")
        }
    }

    /// The `Fixtures` folder in the source tree (for re-recording golden files).
    static var sourceDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    }

    static func url(_ name: String) throws -> URL {
        let url = try directory.appendingPathComponent(name)
        try #require(FileManager.default.fileExists(atPath: url.path), "fixture \(name) not found")
        return url
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(name)))
    }

    /// Parses a fixture through `RunbookParser.parse(path:)`, the way the CLI reads files.
    static func parse(_ name: String) throws -> Runbook {
        try RunbookParser.parse(path: url(name).path)
    }
}

/// Parses Markdown given as a string.
func parse(_ text: String, path: String = "t.md") -> Runbook {
    RunbookParser.parse(bytes: Array(text.utf8), path: path)
}

/// Parses raw bytes.
func parse(bytes: [UInt8], path: String = "t.md") -> Runbook {
    RunbookParser.parse(bytes: bytes, path: path)
}

extension Runbook {
    func diagnostics(rule: String) -> [Diagnostic] { diagnostics.filter { $0.rule == rule } }
    func step(key: String) -> Step? { steps.first { $0.key == key } }
    var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
}

/// A compact, comparable form of a diagnostic's position and kind.
struct Finding: Hashable, CustomStringConvertible {
    var line: Int
    var column: Int
    var severity: Severity
    var rule: String

    init(_ line: Int, _ column: Int, _ severity: Severity, _ rule: String) {
        self.line = line
        self.column = column
        self.severity = severity
        self.rule = rule
    }

    init(_ d: Diagnostic) { self.init(d.line, d.column, d.severity, d.rule) }

    var description: String { "\(line):\(column) \(severity.rawValue) \(rule)" }
}

/// Expects exactly one diagnostic with this position, severity and rule, whose message holds every word in `words`.
@discardableResult
func expectDiagnostic(
    _ runbook: Runbook, line: Int, column: Int, _ severity: Severity, _ rule: String,
    _ words: [String] = [], sourceLocation: SourceLocation = #_sourceLocation
) -> Diagnostic? {
    let matches = runbook.diagnostics.filter {
        $0.line == line && $0.column == column && $0.severity == severity && $0.rule == rule
    }
    guard matches.count == 1, let found = matches.first else {
        Issue.record(
            "expected one \(severity.rawValue) '\(rule)' at \(line):\(column), found \(matches.count); all: \(runbook.diagnostics.map { "\($0.line):\($0.column) \($0.severity.rawValue) \($0.rule): \($0.message)" })",
            sourceLocation: sourceLocation)
        return nil
    }
    for word in words {
        #expect(
            found.message.contains(word), "message of \(rule) at \(line):\(column) lacks '\(word)': \(found.message)",
            sourceLocation: sourceLocation)
    }
    return found
}

/// Expects that no diagnostic of `rule` was reported.
func expectNone(_ runbook: Runbook, _ rule: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let found = runbook.diagnostics(rule: rule)
    #expect(found.isEmpty, "unexpected \(rule): \(found.map(\.rendered))", sourceLocation: sourceLocation)
}

// MARK: Markers

/// Text with `⟦N⟧` markers removed, and where each marker stood (1-based line, 1-based UTF-8 byte column).
struct MarkedText {
    var text: String
    var markers: [Int: (line: Int, column: Int)]

    init(_ marked: String) {
        var out = [UInt8]()
        var markers: [Int: (line: Int, column: Int)] = [:]
        let bytes = Array(marked.utf8)
        let open = Array("⟦".utf8)
        let close = Array("⟧".utf8)
        var line = 1
        var lineStart = 0  // offset in `out` of the current line's start
        var i = 0
        while i < bytes.count {
            if bytes[i...].starts(with: open) {
                var j = i + open.count
                var number = 0
                var digits = 0
                while j < bytes.count, bytes[j] >= 48, bytes[j] <= 57 {
                    number = number * 10 + Int(bytes[j] - 48)
                    j += 1
                    digits += 1
                }
                if digits > 0, bytes[j...].starts(with: close) {
                    precondition(markers[number] == nil, "marker ⟦\(number)⟧ used twice")
                    markers[number] = (line, out.count - lineStart + 1)
                    i = j + close.count
                    continue
                }
            }
            out.append(bytes[i])
            if bytes[i] == 0x0A {
                line += 1
                lineStart = out.count
            }
            i += 1
        }
        self.text = String(decoding: out, as: UTF8.self)
        self.markers = markers
    }
}

/// What a marker must point at.
struct MarkerExpectation {
    var severity: Severity
    var rule: String
    var words: [String]

    static func error(_ rule: String, _ words: String...) -> Self { .init(severity: .error, rule: rule, words: words) }
    static func warning(_ rule: String, _ words: String...) -> Self { .init(severity: .warning, rule: rule, words: words) }
}

/// swift-format style check: strips the markers, parses, and requires exactly the marked findings
/// (each marker has its finding; no finding is unmarked unless its rule is in `ignoring`).
func assertMarkedFindings(
    _ marked: String, _ expectations: [Int: MarkerExpectation], ignoring: Set<String> = [],
    path: String = "marked.md", sourceLocation: SourceLocation = #_sourceLocation
) {
    let source = MarkedText(marked)
    #expect(
        Set(source.markers.keys) == Set(expectations.keys), "markers in text and expectations differ",
        sourceLocation: sourceLocation)
    #expect(!source.text.contains("⟦") && !source.text.contains("⟧"), "a marker was not stripped", sourceLocation: sourceLocation)
    let runbook = parse(source.text, path: path)
    var matched = Set<Int>()
    for (number, expectation) in expectations.sorted(by: { $0.key < $1.key }) {
        guard let at = source.markers[number] else { continue }
        let candidates = runbook.diagnostics.enumerated().filter {
            $0.element.line == at.line && $0.element.column == at.column
                && $0.element.severity == expectation.severity && $0.element.rule == expectation.rule
        }
        guard let (index, found) = candidates.first else {
            Issue.record(
                "⟦\(number)⟧ expected \(expectation.severity.rawValue) '\(expectation.rule)' at \(at.line):\(at.column); found: \(runbook.diagnostics.map { "\($0.line):\($0.column) \($0.severity.rawValue) \($0.rule)" })",
                sourceLocation: sourceLocation)
            continue
        }
        matched.insert(index)
        #expect(found.path == path, sourceLocation: sourceLocation)
        for word in expectation.words {
            #expect(found.message.contains(word), "⟦\(number)⟧ message lacks '\(word)': \(found.message)", sourceLocation: sourceLocation)
        }
    }
    for (index, diagnostic) in runbook.diagnostics.enumerated() where !matched.contains(index) && !ignoring.contains(diagnostic.rule) {
        Issue.record("unmarked finding: \(diagnostic.rendered) [\(diagnostic.rule)]", sourceLocation: sourceLocation)
    }
}

/// Gives a test (or every test of a suite) its own state folder, removed when the test ends:
/// `TemporaryStateDirectory.current` inside the test.
struct TemporaryStateDirectory: TestTrait, SuiteTrait, TestScoping {
    /// The folder of the test running now, if it has the trait.
    @TaskLocal static var current: String?

    var isRecursive: Bool { true }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil || !test.isSuite else { return try await function() }
        var template = Array("\(NSTemporaryDirectory())/runbook-unit-XXXXXX".utf8CString)
        let folder = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await Self.$current.withValue(folder) { try await function() }
    }
}

extension Trait where Self == TemporaryStateDirectory {
    /// Each test gets its own state folder.
    static var temporaryStateDirectory: Self { Self() }
}
