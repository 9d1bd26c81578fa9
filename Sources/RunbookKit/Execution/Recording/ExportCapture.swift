import CSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Reads back what a shell step exported: the wrapper's NUL-separated dump compared with the
/// environment the step was given.
enum ExportCapture {
    /// Names a step may not carry to the next one: the shell's own bookkeeping and runbook's variables.
    static let notCarried: Set<String> = [
        "_", "SHLVL", "PWD", "OLDPWD", StepCommand.envFileVariable, "RUNBOOK_RUN_ID",
        "RUNBOOK_STEP_KEY", "RUNBOOK_STEP_NUMBER", "RUNBOOK_FILE", "RUNBOOK_DIR",
    ]

    /// The largest value a step may export (32 KiB): a larger one fails the step that exported it.
    static let valueLimit = 32 * 1024
    /// The most a step's exports and unsets may take in its `step_end` record (48 KiB of JSON),
    /// so the record stays well under the journal's line limit.
    static let recordLimit = 48 * 1024
    /// The most the environment a step leaves for the next one may take (1 MiB of `NAME=value`):
    /// the kernel refuses to start a program with much more ("argument list too long").
    static let environmentLimit = 1024 * 1024

    /// What changed.
    struct Changes {
        /// Variables set or changed, as recorded (secret ones without a value).
        var exports: [ExportedVariable] = []
        /// Their real values, for later steps.
        var values: [String: String] = [:]
        /// Variables the step unset.
        var unset: [String] = []
        /// Why the step's exports cannot be carried (a value or the whole over a limit): the step
        /// fails with this error and later steps get none of its changes.
        var problem: String?
    }

    /// Compares the dump `bytes` with `passed`. `wasCarried(name)` says whether a name came from
    /// an earlier step or the runner (only those are recorded as unset).
    static func read(
        _ bytes: [UInt8], passed: [String: String], masker: SecretMasker, secretNames: Set<String>,
        wasCarried: (String) -> Bool
    ) -> Changes {
        var after: [String: String] = [:]
        for entry in bytes.split(separator: 0, omittingEmptySubsequences: true) {
            guard let eq = entry.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = String(decoding: entry[entry.startIndex..<eq], as: UTF8.self)
            after[name] = String(decoding: entry[(eq + 1)...], as: UTF8.self)
        }
        var changes = Changes()
        for (name, value) in after.sorted(by: { $0.key < $1.key }) where !notCarried.contains(name) && !name.hasPrefix("BASH_FUNC_") {
            guard passed[name] != value else { continue }
            changes.values[name] = value
            let (masked, count) = masker.mask(value)
            let secret = secretNames.contains(name) || count > 0
            changes.exports.append(ExportedVariable(name: name, value: secret ? nil : masked, secret: secret))
        }
        for name in passed.keys.sorted() where after[name] == nil && !notCarried.contains(name) {
            if wasCarried(name) { changes.unset.append(name) }
        }
        changes.problem = problem(with: changes, passed: passed)
        if changes.problem != nil {
            changes.values = [:]
            changes.exports = []
            changes.unset = []
        }
        return changes
    }

    /// The first limit `changes` break, as the step's error; nil when they can be carried.
    static func problem(with changes: Changes, passed: [String: String]) -> String? {
        let sizes = changes.values.map { (name: $0.key, bytes: $0.value.utf8.count) }.sorted { ($0.bytes, $1.name) > ($1.bytes, $0.name) }
        if let largest = sizes.first, largest.bytes > valueLimit {
            return
                "exported variable \(largest.name) is \(largest.bytes) bytes (\(kibText(largest.bytes))), over the \(kibText(valueLimit)) limit for an exported value; later steps do not get it (write large data to a file and export its path)"
        }
        var record = JournalRecord(type: .stepEnd)
        record.exports = changes.exports
        record.unset = changes.unset
        let recordBytes = record.jsonBytes().count
        if recordBytes > recordLimit {
            let names = sizes.prefix(3).map { "\($0.name) (\($0.bytes) bytes)" }.joined(separator: ", ")
            return
                "the variables the step exported take \(recordBytes) bytes in the journal, over the \(kibText(recordLimit)) limit for one step (largest: \(names)); later steps do not get them"
        }
        var environment = passed
        for (name, value) in changes.values { environment[name] = value }
        for name in changes.unset { environment.removeValue(forKey: name) }
        let environmentBytes = environment.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 2 }
        if environmentBytes > environmentLimit {
            return
                "with the variables the step exported, the next step's environment would be \(environmentBytes) bytes, over the \(kibText(environmentLimit)) limit; later steps do not get them"
        }
        return nil
    }

    /// `32 KiB`, `1 MiB`, `200 KiB`, `1.5 KiB`.
    static func kibText(_ bytes: Int) -> String {
        if bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0 { return "\(bytes / (1024 * 1024)) MiB" }
        let kib = Double(bytes) / 1024
        return kib == kib.rounded() ? "\(Int(kib)) KiB" : "\((kib * 10).rounded() / 10) KiB"
    }
}

/// Where a shell step's wrapper writes its exported variables: a file with no name that lives in
/// memory (a memfd), passed to the step as an inherited descriptor it opens as `/proc/self/fd/N`.
/// The values, secrets included, never reach a disk, and nothing is left after a crash.
final class ExportChannel {
    /// The descriptor the step inherits (not close-on-exec), numbered high so the step's own
    /// redirections (`exec 3>…` … `exec 9>…`, bash's `{var}>` from 10) do not meet it.
    let fd: Int32

    /// What the step is told to write to (`RUNBOOK_ENV_FILE`).
    var path: String { "/proc/self/fd/\(fd)" }

    /// A new empty channel; `fallbackFolder` (the private scratch folder) holds an unnamed
    /// O_TMPFILE file only where the kernel has no memfd.
    init(fallbackFolder: String) throws(StorageError) {
        let anonymous = rb_anonymous_file("runbook-exports", fallbackFolder)
        guard anonymous >= 0 else {
            throw StorageError("cannot create the in-memory file for exported variables: \(errnoText(errno).lowercased())")
        }
        var inherited = fcntl(anonymous, F_DUPFD, 200)
        // Under a low descriptor limit (ulimit -n 200 or less), the lowest free number from 10.
        if inherited < 0 { inherited = fcntl(anonymous, F_DUPFD, 10) }
        let failure = errno
        close(anonymous)
        guard inherited >= 0 else {
            throw StorageError("cannot pass the in-memory file for exported variables to the step: \(errnoText(failure).lowercased())")
        }
        fd = inherited
    }

    deinit { close(fd) }

    /// What the wrapper wrote, up to `limit` bytes (nil when there is more: the dump is refused).
    func contents(limit: Int = 64 * 1024 * 1024) -> [UInt8]? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return [] }
        let size = Int(info.st_size)
        guard size <= limit else { return nil }
        var bytes = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress.map { $0 + offset }, size - offset, off_t(offset)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            offset += n
        }
        return Array(bytes[0..<offset])
    }
}
