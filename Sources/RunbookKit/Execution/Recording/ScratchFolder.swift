import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A run's private scratch folder for step files, `$TMPDIR/runbook-<run id>-XXXXXX` (0700; its
/// files 0600 whatever the umask): the step's code and the export wrapper, never a secret value.
///
/// The runner holds an `flock` on the folder while the run lives (the kernel drops it when the
/// runner dies), so a later start can tell a dead run's folder from a live one and remove it:
/// `create` does that first.
enum ScratchFolder {
    /// The locks this process holds on its scratch folders, by path.
    private static let held = HeldLocks()

    /// `$TMPDIR` from `environment` (without a trailing `/`), else `/tmp`.
    static func temporaryDirectory(environment: [String: String]) -> String {
        var tmp = environment["TMPDIR"] ?? ""
        while tmp.count > 1 && tmp.hasSuffix("/") { tmp.removeLast() }
        return tmp.hasPrefix("/") ? tmp : "/tmp"
    }

    /// Removes the folders of dead runs, then creates and locks a new folder for `runId` under
    /// `$TMPDIR`. It is made under a hidden name and renamed once locked, so no other runner's
    /// clean-up can take it for a dead run's.
    static func create(runId: String, environment: [String: String]) throws(StorageError) -> String {
        let tmp = temporaryDirectory(environment: environment)
        removeStale(in: tmp)
        var template = Array("\(tmp)/.runbook-\(runId)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw StorageError("cannot create a private temporary folder in '\(tmp)': \(errnoText(errno).lowercased())")
        }
        let hidden = String(cString: made)
        let fd = open(hidden, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0, flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errnoText(errno).lowercased()
            if fd >= 0 { close(fd) }
            rmdir(hidden)
            throw StorageError("cannot lock the private temporary folder '\(hidden)': \(reason)")
        }
        chmod(hidden, 0o700)
        let path = tmp + "/" + String((hidden as NSString).lastPathComponent.dropFirst())
        guard rename(hidden, path) == 0 else {
            let reason = errnoText(errno).lowercased()
            close(fd)
            rmdir(hidden)
            throw StorageError("cannot create the private temporary folder '\(path)': \(reason)")
        }
        held.add(path, fd)
        return path
    }

    /// Removes the folder and lets go of its lock.
    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
        held.release(path)
    }

    /// Removes every scratch folder under `tmp` whose run is not running: a folder named
    /// `runbook-<run id>-XXXXXX` (or the hidden name it is made under, once a minute old), owned by
    /// this user, that no live runner holds locked. Returns the folders removed.
    @discardableResult
    static func removeStale(in tmp: String) -> [String] {
        var removed: [String] = []
        for name in scratchCandidates(in: tmp).sorted() {
            let hidden = name.hasPrefix(".runbook-")
            guard isScratchName(hidden ? String(name.dropFirst()) : name) else { continue }
            let path = tmp + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == geteuid() else { continue }
            if hidden && time(nil) - info.st_ctim.tv_sec < 60 { continue }
            let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            // A live runner holds the lock; ours (taken now) is dropped when `fd` closes.
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { continue }
            if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(path) }
        }
        return removed
    }

    /// Whether `name` is `runbook-<run id>-XXXXXX` with a run id as runbook makes them
    /// (`20261126T093000Z-1a2b3c4d`): nothing else in `$TMPDIR` is ever touched.
    /// The names in `tmp` that start with `runbook-` or `.runbook-`, read with readdir: a busy
    /// /tmp (thousands of other programs' entries) costs a byte compare per entry, not a String.
    private static func scratchCandidates(in tmp: String) -> [String] {
        guard let dir = opendir(tmp) else { return [] }
        defer { closedir(dir) }
        let prefix = Array("runbook-".utf8)
        var names: [String] = []
        while let entry = readdir(dir) {
            let name: String? = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
                let skip = base[0] == UInt8(ascii: ".") ? 1 : 0
                for (i, byte) in prefix.enumerated() where base[skip + i] != byte { return nil }
                return String(cString: base)
            }
            if let name { names.append(name) }
        }
        return names
    }

    static func isScratchName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        let prefix = Array("runbook-".utf8)
        // runbook- (8) + run id (25) + - (1) + XXXXXX (6)
        guard bytes.count == 40, Array(bytes[0..<8]) == prefix, bytes[33] == UInt8(ascii: "-") else { return false }
        let id = Array(bytes[8..<33])
        func digits(_ range: Range<Int>) -> Bool { id[range].allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        let hex = id[17..<25].allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
        let suffix = bytes[34...].allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) }
        return digits(0..<8) && id[8] == UInt8(ascii: "T") && digits(9..<15) && id[15] == UInt8(ascii: "Z")
            && id[16] == UInt8(ascii: "-") && hex && suffix
    }
}

/// Descriptors holding scratch folder locks, by path (a run's folder is locked for its life).
private final class HeldLocks: @unchecked Sendable {
    private let lock = NSLock()
    private var fds: [String: Int32] = [:]

    func add(_ path: String, _ fd: Int32) {
        lock.lock()
        defer { lock.unlock() }
        fds[path] = fd
    }

    func release(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        if let fd = fds.removeValue(forKey: path) { close(fd) }
    }
}
