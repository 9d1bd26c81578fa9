import Foundation
import RunbookKit
import Testing

/// An ed25519 key made with ssh-keygen, and an allowed_signers file naming it for `identity`.
private func signingKey(_ box: Sandbox, name: String = "key", identity: String = "oncall@example.com") throws -> (key: String, signers: String) {
    let key = box.root + "/" + name
    try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen"), "ssh-keygen is needed: apt-get install -y openssh-client")
    let made = spawnAndWait(
        ["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", identity, "-f", key], stdin: nil, environment: ["PATH": "/usr/bin:/bin"],
        cwd: nil, timeout: 30)
    try #require(made.status == 0, "ssh-keygen (Debian: openssh-client) is needed: \(made.stderr)")
    let publicKey = try String(contentsOfFile: key + ".pub", encoding: .utf8)
    let signers = box.write("\(name)-allowed_signers", "\(identity) \(publicKey)")
    return (key, signers)
}

@Suite("signed exports", .tags(.endToEnd))
struct ExportSigningTests {
    @Test("export --sign writes FILE.sig; the untouched export verifies, a tampered one or another signer does not")
    func signAndVerify() throws {
        let box = Sandbox()
        let dir = try DrillRun.finished.make(box)
        let (key, signers) = try signingKey(box)
        let file = box.root + "/record.html"
        let r = runbook(["export", dir, "-o", file, "--sign", key])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("record.html.sig: signed with"))
        let signature = try String(contentsOfFile: file + ".sig", encoding: .utf8)
        #expect(signature.hasPrefix("-----BEGIN SSH SIGNATURE-----"))
        let env = ["PATH": "/usr/bin:/bin"]
        let journal = dir + "/journal.jsonl"
        let good = ExportSigning.verify(
            export: file, signature: file + ".sig", allowedSigners: signers, identity: "oncall@example.com", journal: journal, environment: env)
        #expect(good.ok && good.signatureOK && good.headMatches, "\(good.text)")
        #expect(good.signatureMessage.contains("Good \"runbook\" signature for oncall@example.com"))

        // One character changed: the signature no longer holds.
        let tampered = box.root + "/tampered.html"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "data-outcome=\"ok\"", with: "data-outcome=\"ko\"").write(toFile: tampered, atomically: true, encoding: .utf8)
        let bad = ExportSigning.verify(
            export: tampered, signature: file + ".sig", allowedSigners: signers, identity: "oncall@example.com", journal: journal, environment: env)
        #expect(!bad.ok && !bad.signatureOK, "\(bad.text)")
        #expect(bad.text.contains("signature BAD"))

        // Signed by the right key, but not by the identity asked for.
        let wrong = ExportSigning.verify(
            export: file, signature: file + ".sig", allowedSigners: signers, identity: "someone@example.com", journal: journal, environment: env)
        #expect(!wrong.ok)

        // Another key signs a changed export: good signature for that key, but its head is not the journal's.
        let (other, otherSigners) = try signingKey(box, name: "other", identity: "mallory@example.com")
        let forged = box.root + "/forged.md"
        let markdown = runbook(["export", dir, "--format", "markdown"]).stdout
        let head = try #require(good.exportHead)
        try markdown.replacingOccurrences(of: "head=\(head)", with: "head=\(String(repeating: "0", count: 64))").write(
            toFile: forged, atomically: true, encoding: .utf8)
        try ExportSigning.sign(file: forged, key: other, environment: env)
        let mismatch = ExportSigning.verify(
            export: forged, signature: forged + ".sig", allowedSigners: otherSigners, identity: "mallory@example.com", journal: journal,
            environment: env)
        #expect(mismatch.signatureOK && !mismatch.headMatches && !mismatch.ok, "\(mismatch.text)")
        #expect(mismatch.problem?.contains("is not the journal's after") == true)
    }

    @Test("runbook verify RUN --export FILE --signature FILE.sig --signers … --identity …: 0 when it holds, 4 when the export was changed")
    func verifyCommand() throws {
        let box = Sandbox()
        let dir = try DrillRun.finished.make(box)
        let (key, signers) = try signingKey(box)
        let file = box.root + "/record.json"
        #expect(runbook(["export", dir, "-o", file, "--sign", key]).status == 0)
        let ok = runbook(["verify", dir, "--export", file, "--signature", file + ".sig", "--signers", signers, "--identity", "oncall@example.com"])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.contains("signature good"))
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "\"outcome\" : \"ok\"", with: "\"outcome\" : \"done\"").write(toFile: file, atomically: true, encoding: .utf8)
        let bad = runbook(["verify", dir, "--export", file, "--signers", signers, "--identity", "oncall@example.com"])
        #expect(bad.status == 4, "\(bad.stdout)\(bad.stderr)")
        #expect(bad.stderr.contains("signature BAD"))
        #expect(runbook(["verify", dir, "--export", file]).status == 2, "--export needs --signers and --identity")
    }
}
