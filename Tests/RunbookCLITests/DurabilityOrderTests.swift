import Foundation
import RunbookKit
import Testing

/// One system call of the runner or a child, from an `strace -f` log.
private struct Call {
    var pid: Int
    var name: String
    /// The first argument (a descriptor) or the path an `openat`/`execve` names.
    var firstArgument: String
    var line: String
    var result: Int?
}

/// Reads `strace -f -o FILE` lines: `PID name(args) = result`, or the first half of a call another
/// process interrupted (`PID name(args <unfinished ...>`), whose result comes with its second half
/// (`PID <... name resumed>) = result`).
private func calls(in trace: String) -> [Call] {
    var out: [Call] = []
    var unfinished: [Int: Int] = [:]
    for raw in trace.split(separator: "\n") {
        let line = String(raw)
        let parts = line.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let pid = Int(parts[0]) else { continue }
        // strace pads the pid to five columns: "4486  execve(…" has two spaces.
        let body = parts[1].drop { $0 == " " }
        let result = body.range(of: ") = ", options: .backwards).flatMap { Int(body[$0.upperBound...].prefix { $0 != " " }) }
        if body.hasPrefix("<...") {
            if let index = unfinished.removeValue(forKey: pid) { out[index].result = result }
            continue
        }
        guard let open = body.firstIndex(of: "(") else { continue }
        let name = String(body[..<open])
        let args = body[body.index(after: open)...]
        var first = String(args.prefix { $0 != "," && $0 != ")" && $0 != " " })
        if name == "openat" || name == "execve" {
            // openat(AT_FDCWD, "/path", …), execve("/path", …)
            first = String(args.split(separator: "\"", omittingEmptySubsequences: false).dropFirst().first ?? "")
        }
        if body.hasSuffix("<unfinished ...>") { unfinished[pid] = out.count }
        out.append(Call(pid: pid, name: name, firstArgument: first, line: line, result: result))
    }
    return out
}

@Suite("durability order of the journal and the output log (strace)", .tags(.endToEnd))
struct DurabilityOrderTests {
    @Test(
        "each step_start is durable before its process starts; output and step_end are durable before the next step starts; one sync a step for small output"
    )
    func syncOrderAndBudget() throws {
        let strace = try #require(["/usr/bin/strace", "/bin/strace"].first { FileManager.default.isExecutableFile(atPath: $0) }, "install strace")
        let box = Sandbox()
        let steps = 5
        var text = "# Order\n\n"
        for i in 0..<steps { text += "```bash {id=s\(i)}\necho \"step \(i)\"\n```\n\n" }
        // A step whose output is too long for its step_end: it is synced in output.log.
        text += "```bash {id=big}\nhead -c 5000 /dev/zero | tr '\\0' x\n```\n"
        let file = box.write("order.md", text)
        let trace = box.root + "/trace.txt"
        let r = spawnAndWait(
            [
                strace, "-f", "-qq", "-s", "8192", "-e", "trace=openat,write,fdatasync,fsync,execve", "-o", trace, runbookBinary, "run", "--yes", "--state-dir",
                box.state, file,
            ],
            stdin: nil, environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "USER": "tester", "NO_COLOR": "1"],
            cwd: nil, timeout: 120)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let all = calls(in: try String(contentsOfFile: trace, encoding: .utf8))
        let runner = try #require(all.first { $0.name == "execve" }?.pid)
        let journalFD = try #require(all.first { $0.pid == runner && $0.name == "openat" && $0.firstArgument.hasSuffix("/journal.jsonl") }?.result)
        // The log is created empty with the run folder, then opened to append to.
        let logFD = try #require(
            all.first { $0.pid == runner && $0.name == "openat" && $0.firstArgument.hasSuffix("/output.log") && $0.line.contains("O_APPEND") }?.result)
        func isJournalWrite(_ c: Call, _ type: String) -> Bool {
            c.pid == runner && c.name == "write" && c.firstArgument == "\(journalFD)" && c.line.contains("\\\"type\\\":\\\"\(type)\\\"")
        }
        func isSync(_ c: Call, _ fd: Int) -> Bool { c.pid == runner && (c.name == "fdatasync" || c.name == "fsync") && c.firstArgument == "\(fd)" }
        let starts = all.indices.filter { isJournalWrite(all[$0], "step_start") }
        let ends = all.indices.filter { isJournalWrite(all[$0], "step_end") }
        let spawns = all.indices.filter { all[$0].pid != runner && all[$0].name == "execve" && all[$0].line.contains("--noprofile") }
        #expect(starts.count == steps + 1 && ends.count == steps + 1 && spawns.count == steps + 1, "\(starts) \(ends) \(spawns)")
        guard starts.count == steps + 1, ends.count == steps + 1, spawns.count == steps + 1 else { return }
        for k in 0...steps {
            // step_start, then a journal sync, then the step's process.
            let synced = all.indices.contains { $0 > starts[k] && $0 < spawns[k] && isSync(all[$0], journalFD) }
            #expect(synced, "step \(k): no journal sync between its step_start and its process")
            // The previous step's step_end was written before this step_start, so the same sync made it durable.
            if k > 0 { #expect(ends[k - 1] < starts[k]) }
        }
        // The long output is synced in the log before its step_end is written.
        let lastLogWrite = try #require(
            all.indices.last { $0 < ends[steps] && all[$0].pid == runner && all[$0].name == "write" && all[$0].firstArgument == "\(logFD)" })
        #expect(
            all.indices.contains { $0 > lastLogWrite && $0 < ends[steps] && isSync(all[$0], logFD) },
            "the long output was not synced before its step_end: \(all[lastLogWrite...ends[steps]].map { String($0.line.prefix(90)) })")
        // The budget: one journal sync a step, one log sync for the long output, one for run_end.
        let syncs = all.indices.filter { $0 > starts[0] && all[$0].pid == runner && (all[$0].name == "fdatasync" || all[$0].name == "fsync") }
        #expect(syncs.count == steps + 1 + 1 + 1, "\(syncs.map { all[$0].line })")
        // And the record says what each step printed.
        let records = try box.journal()
        let outputs = records.filter { $0.type == .stepEnd }.compactMap(\.output)
        #expect(outputs.prefix(steps).allSatisfy { $0.inline != nil && $0.file == "output.log" })
        #expect(outputs.last?.inline == nil && outputs.last?.bytesKept == 5000)
    }
}
