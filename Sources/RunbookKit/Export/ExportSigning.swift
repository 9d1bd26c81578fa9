import Foundation

/// Signing exports with OpenSSH (`ssh-keygen -Y sign -n runbook`) and checking them: the
/// signature, and that the export's head hash is the journal's. No cryptography of our own.
public enum ExportSigning {
    /// The signature namespace: a runbook signature cannot pass for a git or file signature.
    public static let namespace = "runbook"

    /// A failure to sign, or to run `ssh-keygen`.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// What went wrong and what to try.
        public let message: String
        /// The message.
        public var description: String { message }
    }

    /// Signs the file at `path` with the private key `key` (or the public key of a key held by
    /// `ssh-agent`) and writes the signature to `path.sig`, atomically. Returns that path.
    @discardableResult
    public static func sign(file path: String, key: String, environment: [String: String]) throws(Failure) -> String {
        let result = try sshKeygen(["-Y", "sign", "-f", key, "-n", namespace], input: path, environment: environment)
        guard result.status == 0, !result.stdout.isEmpty else {
            throw Failure(message: "ssh-keygen could not sign '\(path)' with '\(key)': \(result.stderr.trimmingSpaces()) (exit \(result.status))")
        }
        let signature = path + ".sig"
        do { try writeFileAtomically(signature, [UInt8](result.stdout)) } catch { throw Failure(message: error.message) }
        return signature
    }

    /// What checking a signed export found.
    public struct Check: Encodable, Sendable {
        /// Whether the signature is good for the identity and the export matches the journal.
        public var ok: Bool
        /// The export file.
        public var export: String
        /// Whether `ssh-keygen -Y verify` accepted the signature.
        public var signatureOK: Bool
        /// What `ssh-keygen` said.
        public var signatureMessage: String
        /// The run id, record count and head hash the export names.
        public var exportRunId: String?
        /// Records the export covers.
        public var exportRecords: Int?
        /// The head hash the export names.
        public var exportHead: String?
        /// Whether the journal's first `exportRecords` records end in `exportHead`.
        public var headMatches: Bool
        /// Records the journal has now (it may have grown since, if the run was continued).
        public var journalRecords: Int
        /// The first problem found.
        public var problem: String?

        enum CodingKeys: String, CodingKey {
            case ok, export
            case signatureOK = "signature_ok"
            case signatureMessage = "signature_message"
            case exportRunId = "export_run_id"
            case exportRecords = "export_records"
            case exportHead = "export_head"
            case headMatches = "head_matches"
            case journalRecords = "journal_records"
            case problem
        }

        /// The human form.
        public var text: String {
            var out = "\(export): signature \(signatureOK ? "good" : "BAD"): \(signatureMessage)\n"
            if let problem { return out + "\(export): export verification failed: \(problem)\n" }
            out += "\(export): its head \(exportHead ?? "?") is the journal's after \(exportRecords ?? 0) records"
            if journalRecords > (exportRecords ?? 0) { out += " (the journal has \(journalRecords - (exportRecords ?? 0)) more records since)" }
            return out + "\n"
        }
    }

    /// Checks `signature` of the export at `export` for `identity` in `allowedSigners`, then that
    /// the export's head hash is the head of the journal at `journal` after the records it covers.
    public static func verify(
        export: String, signature: String, allowedSigners: String, identity: String, journal: String, environment: [String: String]
    ) -> Check {
        var check = Check(ok: false, export: export, signatureOK: false, signatureMessage: "", headMatches: false, journalRecords: 0)
        guard let data = FileManager.default.contents(atPath: export) else {
            check.problem = "cannot read the export '\(export)'"
            return check
        }
        do {
            let result = try sshKeygen(
                ["-Y", "verify", "-f", allowedSigners, "-I", identity, "-n", namespace, "-s", signature], input: export, environment: environment)
            check.signatureOK = result.status == 0
            let said = String(decoding: result.stdout, as: UTF8.self) + "\n" + result.stderr
            check.signatureMessage = said.split(whereSeparator: \.isNewline).map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }.joined(separator: "; ")
        } catch {
            check.signatureMessage = error.message
        }
        guard check.signatureOK else {
            check.problem = "the signature does not verify for '\(identity)' (the export was changed after it was signed, or was signed by another key)"
            return check
        }
        guard let marker = exportMarker(data) else {
            check.problem = "the export names no journal head (it is not a runbook export)"
            return check
        }
        (check.exportRunId, check.exportRecords, check.exportHead) = (marker.runId, marker.records, marker.head)
        let (matches, records, problem) = headOfJournal(journal, after: marker.records, runId: marker.runId, head: marker.head)
        check.headMatches = matches
        check.journalRecords = records
        check.problem = problem
        check.ok = matches && problem == nil
        return check
    }

    /// The `runbook-export: run=… records=… head=…` line every format carries, taken from where
    /// only the export itself writes it: JSON's top-level `marker`, HTML's `<meta
    /// name="runbook-export">` (before any text from the run), Markdown's last `<!-- … -->` line
    /// (after it). A note or an output that holds such a line is never mistaken for it.
    static func exportMarker(_ data: Data) -> (runId: String, records: Int, head: String)? {
        let text = String(decoding: data, as: UTF8.self)
        let line: Substring
        if text.first == "{" {
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let marker = object["marker"] as? String else { return nil }
            line = marker[...]
        } else if text.hasPrefix("<!DOCTYPE html>"), let meta = text.range(of: "<meta name=\"runbook-export\" content=\"") {
            line = text[meta.upperBound...].prefix { $0 != "\"" }
        } else if let comment = text.split(separator: "\n").last(where: { $0.hasPrefix("<!-- runbook-export: ") && $0.hasSuffix(" -->") }) {
            line = comment.dropFirst(5).dropLast(4)
        } else {
            return nil
        }
        let words = line.split(separator: " ")
        guard words.count == 4, words[0] == "runbook-export:", words[1].hasPrefix("run="), words[2].hasPrefix("records="), words[3].hasPrefix("head="),
            let records = Int(words[2].dropFirst(8))
        else { return nil }
        return (String(words[1].dropFirst(4)), records, String(words[3].dropFirst(5)))
    }

    /// Whether the journal's record number `records` (its head then) has hash `head`: the `prev` of
    /// the record after it, or the journal's head when it has exactly that many.
    private static func headOfJournal(_ journal: String, after records: Int, runId: String, head: String) -> (Bool, Int, String?) {
        final class Finder {
            var prevOfNext: String?
            var runId: String?
        }
        let finder = Finder()
        let verification: JournalVerification
        do {
            verification = try JournalVerifier.scan(path: journal) { record in
                if record.seq == 0 { finder.runId = record.runId }
                if record.seq == records { finder.prevOfNext = record.prev }
            }
        } catch {
            return (false, 0, error.message)
        }
        if let problem = verification.problem { return (false, verification.recordCount, "the journal fails verification: \(problem)") }
        guard finder.runId == runId else { return (false, verification.recordCount, "the export is of run \(runId), the journal of \(finder.runId ?? "?")") }
        guard verification.recordCount >= records else {
            return (false, verification.recordCount, "the export covers \(records) records, the journal has only \(verification.recordCount)")
        }
        let actual = verification.recordCount == records ? verification.headHash : finder.prevOfNext ?? ""
        guard actual == head else {
            return (false, verification.recordCount, "the export's head \(head) is not the journal's after \(records) records (\(actual))")
        }
        return (true, verification.recordCount, nil)
    }

    /// Runs `ssh-keygen` (found on the environment's PATH) with the file `input` on its standard input.
    private static func sshKeygen(_ arguments: [String], input: String, environment: [String: String]) throws(Failure) -> (
        status: Int32, stdout: Data, stderr: String
    ) {
        let path = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/ssh-keygen" }
        guard let executable = path.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure(message: "ssh-keygen is not on PATH; install OpenSSH's client (Debian: apt-get install -y openssh-client)")
        }
        guard let stdin = FileHandle(forReadingAtPath: input) else { throw Failure(message: "cannot read '\(input)'") }
        defer { try? stdin.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch { throw Failure(message: "cannot run \(executable): \(error.localizedDescription)") }
        // Both pipes are read at once, so neither side blocks on a full pipe.
        let errors = ReadBox()
        let errorHandle = stderr.fileHandleForReading
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errors.data = errorHandle.readDataToEndOfFile()
            group.leave()
        }
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, out, String(decoding: errors.data, as: UTF8.self))
    }
}

/// Data read on another thread, handed back after `DispatchGroup.wait`.
private final class ReadBox: @unchecked Sendable {
    var data = Data()
}
