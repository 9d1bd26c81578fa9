import ArgumentParser
import RunbookKit

/// `runbook verify RUN --export FILE --signature FILE.sig --signers allowed_signers --identity ID`:
/// the options for checking a signed export, pulled into `verify` with `@OptionGroup`.
struct ExportSignatureOptions: ParsableArguments {
    @Option(name: .customLong("export"), help: ArgumentHelp("Check this signed export of the run (with --signers and --identity).", valueName: "FILE"))
    var export: String?

    @Option(help: ArgumentHelp("The export's signature (default: the export's path with .sig added).", valueName: "FILE.sig"))
    var signature: String?

    @Option(help: ArgumentHelp("An OpenSSH allowed_signers file (ssh-keygen(1), ALLOWED SIGNERS).", valueName: "FILE"))
    var signers: String?

    @Option(help: ArgumentHelp("Who must have signed it: a principal of the allowed_signers file.", valueName: "ID"))
    var identity: String?

    /// Whether a signed export was named.
    var isRequested: Bool { export != nil }

    func validate() throws {
        guard export != nil || signature != nil || signers != nil || identity != nil else { return }
        guard export != nil, signers != nil, identity != nil else {
            throw ValidationError("--export, --signers and --identity go together (and --signature, when it is not FILE.sig)")
        }
    }

    /// What `verify --export … --json` prints: the signed export's check, then the journal's.
    private struct Result: Encodable {
        var ok: Bool
        var export: ExportSigning.Check
        var journal: VerifyReport
    }

    /// Checks the export's signature, that its head hash is the journal's at `journal`, and the run
    /// as `verify` does (`expectedHead`, `checkFiles`); prints the result and exits 4 when any fails.
    func run(journal: String, expectedHead: String?, checkFiles: Bool, json: Bool) throws {
        guard let export, let signers, let identity else { return }
        let check = ExportSigning.verify(
            export: export, signature: signature ?? export + ".sig", allowedSigners: signers, identity: identity, journal: journal,
            environment: processEnvironment())
        let report: VerifyReport
        do {
            report = try VerifyReport.verify(journal: journal, expectedHead: expectedHead, checkFiles: checkFiles)
        } catch {
            throw fail("\(error.message); give a run id, a run folder or a journal file", .badInput)
        }
        let ok = check.ok && report.ok
        if json {
            writeStdout(try encodeJSON(Result(ok: ok, export: check, journal: report)) + "\n")
        } else if ok {
            writeStdout(check.text + report.text)
        } else {
            writeStderr(check.text + report.text)
        }
        if !ok { throw ExitCode(ExitStatus.journalIntegrity.rawValue) }
    }
}
