// `runbook-bench corpus [DIR]`: compatibility with runbooks other teams wrote. Runs the built `runbook`
// (`check`, `show --json`, `adopt --check`, `adopt -o`, `check --warnings-as-errors`) over every .md
// file of each repository folder in DIR (default ../shared/corpus, from the working directory or
// else from this repository) and prints, per repository: files rejected (each with its mistake),
// fences read as steps, transcript steps found against the shell fences that have `$ ` prompt lines
// (counted here independently, by a plain line scan), placeholders found, and adopt outputs that pass
// `check --warnings-as-errors`.
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What one run of the binary left.
private struct Outcome {
    var status: Int32
    var stdout: Data
    var stderr: String
}

/// Runs `argv` with output captured in temporary files (no pipes to drain, no deadlock).
private func capture(_ argv: [String], scratch: String) -> Outcome {
    let out = scratch + "/out"
    let err = scratch + "/err"
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let cArgs = argv.map { strdup($0) } + [nil]
    defer { for pointer in cArgs { free(pointer) } }
    let environment: [String] = ["PATH=/usr/bin:/bin", "NO_COLOR=1", "LANG=C.UTF-8"]
    let cEnv = environment.map { strdup($0) } + [nil]
    defer { for pointer in cEnv { free(pointer) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv)
    precondition(rc == 0, "cannot start \(argv[0]): \(rc)")
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return Outcome(
        status: code, stdout: FileManager.default.contents(atPath: out) ?? Data(),
        stderr: String(decoding: FileManager.default.contents(atPath: err) ?? Data(), as: UTF8.self))
}

/// The figures of one repository folder.
private struct RepositoryFigures {
    var name: String
    var files = 0
    var rejected: [(file: String, mistake: String)] = []
    var codeSteps = 0
    var shellFences = 0
    var promptFences = 0
    var transcripts = 0
    var promptFencesRead: [String] = []
    var missed: [String] = []
    var placeholders = 0
    var placeholderKinds: [String: Int] = [:]
    var adoptable = 0
    var adoptChanged = 0
    var adoptPassing = 0
    var adoptableWithSteps = 0
    var adoptPassingWithSteps = 0
    var adoptFailures: [String: Int] = [:]
    var adoptFailedFiles: [(file: String, rules: String)] = []
}

/// Shell fences (bash, sh, shell, zsh) in a file by opening line, and whether each has a `$ ` prompt line:
/// a plain scan of the lines, independent of the parser.
private func shellFences(_ text: String) -> [(line: Int, prompted: Bool)] {
    var out: [(Int, Bool)] = []
    var open: (line: Int, marker: String, indent: Int, shell: Bool, prompted: Bool)?
    for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
        let trimmed = line.drop { $0 == " " || $0 == ">" }
        if var fence = open {
            if trimmed.hasPrefix(fence.marker) && trimmed.drop(while: { String($0) == String(fence.marker.first ?? "`") }).allSatisfy({ $0 == " " }) {
                if fence.shell { out.append((fence.line, fence.prompted)) }
                open = nil
            } else {
                if trimmed.hasPrefix("$ ") || trimmed == "$" { fence.prompted = true }
                open = fence
            }
            continue
        }
        guard let first = trimmed.first, first == "`" || first == "~" else { continue }
        let marker = String(trimmed.prefix { $0 == first })
        guard marker.count >= 3 else { continue }
        let language = trimmed.dropFirst(marker.count).drop { $0 == " " }.prefix { $0 != " " && $0 != "{" }.lowercased()
        open = (index + 1, marker, line.count - trimmed.count, ["bash", "sh", "shell", "zsh"].contains(language), false)
    }
    return out
}

/// Reads one file's figures into `figures`.
private func measure(_ path: String, display: String, runbook: String, scratch: String, into figures: inout RepositoryFigures) {
    figures.files += 1
    let check = capture([runbook, "check", "-q", path], scratch: scratch)
    if check.status != 0 {
        let first = check.stderr.split(separator: "\n").first { $0.contains(": error: ") }.map(String.init) ?? check.stderr
        let mistake = first.components(separatedBy: ": error: ").dropFirst().joined(separator: ": error: ")
        let at = first.components(separatedBy: ": error: ").first.map { $0.split(separator: ":").suffix(2).joined(separator: ":") } ?? ""
        figures.rejected.append((display + ":" + at, mistake))
    }
    let show = capture([runbook, "show", "--json", path], scratch: scratch)
    let plan = (try? JSONSerialization.jsonObject(with: show.stdout)) as? [String: Any] ?? [:]
    let steps = plan["steps"] as? [[String: Any]] ?? []
    let code = steps.filter { $0["kind"] as? String == "code" }
    figures.codeSteps += code.count
    let transcriptLines = Set(code.filter { $0["form"] as? String == "transcript" }.compactMap { $0["line"] as? Int })
    figures.transcripts += transcriptLines.count
    for step in code {
        for placeholder in step["placeholders"] as? [[String: Any]] ?? [] {
            figures.placeholders += 1
            figures.placeholderKinds[placeholder["kind"] as? String ?? "?", default: 0] += 1
        }
    }
    let text = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    for fence in shellFences(text) {
        figures.shellFences += 1
        guard fence.prompted else { continue }
        figures.promptFences += 1
        if !transcriptLines.contains(fence.line) { figures.missed.append("\(display):\(fence.line)") }
    }
    guard check.status == 0 else { return }
    let passed = adoptFigures(path, display: display, runbook: runbook, scratch: scratch, into: &figures)
    if !steps.isEmpty {
        figures.adoptableWithSteps += 1
        if passed { figures.adoptPassingWithSteps += 1 }
    }
}

/// `adopt --check`, then the adopted text (or the file, when adopt changes nothing) through
/// `check --warnings-as-errors`; returns whether it passed.
private func adoptFigures(_ path: String, display: String, runbook: String, scratch: String, into figures: inout RepositoryFigures) -> Bool {
    figures.adoptable += 1
    let dry = capture([runbook, "adopt", "--check", path], scratch: scratch)
    var checked = path
    if dry.status == 1 {
        figures.adoptChanged += 1
        checked = scratch + "/adopted.md"
        _ = capture([runbook, "adopt", path, "-o", checked], scratch: scratch)
    }
    let strict = capture([runbook, "check", "--json", "--warnings-as-errors", checked], scratch: scratch)
    if strict.status == 0 {
        figures.adoptPassing += 1
        return true
    }
    let report = (try? JSONSerialization.jsonObject(with: strict.stdout)) as? [String: Any] ?? [:]
    let diagnostics = (report["files"] as? [[String: Any]])?.first?["diagnostics"] as? [[String: Any]] ?? []
    let rules = Set(diagnostics.compactMap { $0["rule"] as? String }).sorted()
    for rule in rules { figures.adoptFailures[rule, default: 0] += 1 }
    figures.adoptFailedFiles.append((display, rules.joined(separator: ", ")))
    return false
}

/// The corpus folder: DIR if given, else ../shared/corpus from the working directory or from this repository.
private func corpusFolder(_ arguments: [String]) -> String? {
    if let given = arguments.first { return given }
    let fromHere = FileManager.default.currentDirectoryPath + "/../shared/corpus"
    if FileManager.default.fileExists(atPath: fromHere) { return (fromHere as NSString).standardizingPath }
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let fromSource = repository.appendingPathComponent("../shared/corpus").standardizedFileURL.path
    return FileManager.default.fileExists(atPath: fromSource) ? fromSource : nil
}

func benchCorpus(_ arguments: [String]) {
    let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("runbook").path
    guard FileManager.default.isExecutableFile(atPath: exe) else {
        print("corpus: no runbook binary at \(exe); build it first (swift build -c release --static-swift-stdlib)")
        exit(1)
    }
    guard let corpus = corpusFolder(arguments) else {
        print("corpus: no corpus at ../shared/corpus; name its folder: runbook-bench corpus DIR")
        exit(1)
    }
    var template = Array("\(NSTemporaryDirectory())/runbook-corpus-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { exit(1) }
    let scratch = String(cString: made)
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let repositories = ((try? FileManager.default.contentsOfDirectory(atPath: corpus)) ?? []).filter { name in
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: corpus + "/" + name, isDirectory: &isDirectory) && isDirectory.boolValue
    }.sorted()
    print("corpus: \(corpus), with \(exe)")
    var all: [RepositoryFigures] = []
    for repository in repositories {
        var figures = RepositoryFigures(name: repository)
        let root = corpus + "/" + repository
        let files = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".md") }.sorted()
        for file in files { measure(root + "/" + file, display: repository + "/" + file, runbook: exe, scratch: scratch, into: &figures) }
        all.append(figures)
    }
    printCorpusFigures(all)
}

/// `text` padded with spaces to `width` (left-aligned), or right-aligned when `right`.
private func pad(_ text: String, _ width: Int, right: Bool = true) -> String {
    let fill = String(repeating: " ", count: max(0, width - text.count))
    return right ? fill + text : text + fill
}

private func printCorpusFigures(_ all: [RepositoryFigures]) {
    let width = max(10, all.map(\.name.count).max() ?? 0)
    print("")
    print("rejected: files check refuses. steps: fences read as code steps. prompted: bash/sh/shell/zsh fences with a '$ ' line")
    print("(a plain line scan); transcripts: code steps read as transcripts, and how many of the prompted fences they cover.")
    print("adopt: adopt outputs passing check --warnings-as-errors / files adopt takes (not rejected), then the same for files with steps.")
    print("")
    print(
        pad("repository", width, right: false) + pad("files", 7) + pad("rejected", 10) + pad("steps", 7) + pad("shell", 7) + pad("prompted", 10)
            + pad("transcripts", 13) + pad("covered", 14) + pad("placeholders", 14) + pad("adopt", 11) + pad("with steps", 12))
    for f in all {
        let covered = f.promptFences - f.missed.count
        let recall = f.promptFences == 0 ? "-" : String(format: "%.0f%%", Double(covered) / Double(f.promptFences) * 100)
        print(
            pad(f.name, width, right: false) + pad("\(f.files)", 7) + pad("\(f.rejected.count)", 10) + pad("\(f.codeSteps)", 7)
                + pad("\(f.shellFences)", 7) + pad("\(f.promptFences)", 10) + pad("\(f.transcripts)", 13)
                + pad("\(covered) (\(recall))", 14) + pad("\(f.placeholders)", 14) + pad("\(f.adoptPassing)/\(f.adoptable)", 11)
                + pad("\(f.adoptPassingWithSteps)/\(f.adoptableWithSteps)", 12))
    }
    for f in all {
        print("\n\(f.name)")
        let kinds = f.placeholderKinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("  placeholders by kind: \(kinds.isEmpty ? "none" : kinds)")
        print("  adopt changed \(f.adoptChanged) of \(f.adoptable) files")
        for (file, mistake) in f.rejected { print("  rejected \(file): \(mistake)") }
        for miss in f.missed { print("  prompted fence not read as a transcript: \(miss)") }
        let failures = f.adoptFailures.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("  adopt outputs failing --warnings-as-errors: \(f.adoptable - f.adoptPassing) (files per rule: \(failures.isEmpty ? "none" : failures))")
        for (file, rules) in f.adoptFailedFiles where rules != "no-steps" { print("    \(file): \(rules)") }
    }
}
