import ArgumentParser
import Foundation
import RunbookKit

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a run's record for an audit: a checklist (Markdown), structured data (JSON) or a self-contained page (HTML).",
        discussion: """
            Takes a run id, a run folder or a journal file. The record has the run's header (run id, \
            mode, incident, operator, host, runbook path and sha256, start and end), every step of \
            the runbook copy with its outcome, who and when, attempts, notes, decisions, edited code \
            (diffed against the runbook) and a capped excerpt of its masked output, and a footer with \
            the journal's record count and head hash. A rehearsal says REHEARSAL at the top, an \
            unfinished run says UNFINISHED. The journal is read once, a record at a time; the file \
            is written atomically. See docs/export.md.

            Examples:
              $ runbook export 20261126T093000Z-1a2b3c4d -o record.md
              $ runbook export 20261126T093000Z-1a2b3c4d --format json | jq '.steps[] | select(.outcome != "ok")'
              $ runbook export 20261126T093000Z-1a2b3c4d -o record.html --sign ~/.ssh/id_ed25519

            Exit codes: 0 written; 2 no such run or bad usage; 4 the journal or a file of the run \
            fails verification (pass --allow-damaged to export it marked DAMAGED); 74 the file or \
            its signature could not be written.
            """
    )

    @Argument(help: "A run id, run folder or journal file.")
    var target: String

    @Option(help: ArgumentHelp("markdown, json or html (default: from the -o file's extension, else markdown).", valueName: "FORMAT"))
    var format: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the export to this file (atomically) instead of standard output.", valueName: "FILE"))
    var output: String?

    @Option(
        help: ArgumentHelp(
            "Sign the export with this SSH key (ssh-keygen -Y sign -n runbook); the signature goes to FILE.sig. Needs -o.", valueName: "KEYFILE"))
    var sign: String?

    @Flag(help: "Export a run whose journal or files fail verification; the export says DAMAGED at the top.")
    var allowDamaged = false

    // Unconditional: '-1' is this option's value (refused below, by name), not an unknown flag.
    @Option(parsing: .unconditional, help: ArgumentHelp("Bytes of each recorded output to show: its first and last halves.", valueName: "BYTES"))
    var excerptBytes = 4096

    @OptionGroup var state: StateOptions

    func validate() throws {
        if let format, ExportFormat(rawValue: format) == nil { throw ValidationError("--format takes markdown, json or html, not '\(format)'") }
        if sign != nil && output == nil { throw ValidationError("--sign needs -o FILE: the signature is written beside it, to FILE.sig") }
        if let sign, !FileManager.default.fileExists(atPath: sign) { throw ValidationError("--sign: there is no key file '\(sign)'") }
        if excerptBytes < 0 { throw ValidationError("--excerpt-bytes takes a number of bytes, 0 or more") }
    }

    func run() throws {
        let stateDir = try? state.resolve()
        let (export, journal) = try loadRunExport(target, state: stateDir)
        if !export.damage.isEmpty && !allowDamaged {
            for problem in export.damage { writeStderr("\(journal): \(problem)\n") }
            throw fail("the run does not verify, so it was not exported; pass --allow-damaged to export it marked DAMAGED", .journalIntegrity)
        }
        let chosen = format.flatMap(ExportFormat.init(rawValue:)) ?? output.flatMap(ExportFormat.guess(fromPath:)) ?? .markdown
        let options = ExportOptions(
            excerptBytes: excerptBytes, allowDamaged: allowDamaged, stateDirOption: stateDir?.option(environment: processEnvironment()) ?? "")
        guard let output else {
            let sink = BufferedExportSink(DescriptorOutput(fd: 1))
            try chosen.write(export, options: options, to: sink)
            sink.flush()
            return
        }
        do {
            let file = try AtomicFileWriter(path: output)
            try chosen.write(export, options: options, to: file)
            try file.commit()
        } catch let error as StorageError {
            throw fail(error.message, .journalIO)
        }
        writeStderr("\(output): \(chosen.rawValue) export of run \(export.run.runId), \(export.journal.records) records, head sha256 \(export.journal.head)\n")
        guard let sign else { return }
        do {
            let signature = try ExportSigning.sign(file: output, key: sign, environment: processEnvironment())
            writeStderr("\(signature): signed with \(sign) (namespace \(ExportSigning.namespace))\n")
        } catch {
            throw fail(error.message, .journalIO)
        }
    }
}
