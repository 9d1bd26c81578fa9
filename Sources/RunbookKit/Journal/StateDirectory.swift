import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where runs are kept: `--state-dir`, else `RUNBOOK_STATE_DIR`, else `$XDG_STATE_HOME/runbook`,
/// else `~/.local/state/runbook`. Folders are 0700, files 0600.
///
/// Layout: `locks/<sha256 of the runbook's real path>.lock`, `runs/<run id>/journal.jsonl`,
/// `runs/<run id>/runbook.md` (byte-exact copy), `runs/<run id>/out/<step>-<attempt>.log`.
public struct StateDirectory: Sendable {
    public let root: String

    public static func resolve(explicit: String?, environment: [String: String]) throws(JournalError) -> StateDirectory {
        if let explicit, !explicit.isEmpty { return StateDirectory(root: explicit) }
        if let dir = environment["RUNBOOK_STATE_DIR"], !dir.isEmpty { return StateDirectory(root: dir) }
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") { return StateDirectory(root: xdg + "/runbook") }
        guard let home = environment["HOME"], !home.isEmpty else {
            throw JournalError("cannot find a state directory: HOME is not set; pass --state-dir DIR or set RUNBOOK_STATE_DIR")
        }
        return StateDirectory(root: home + "/.local/state/runbook")
    }

    public init(root: String) { self.root = root }

    public var runsDir: String { root + "/runs" }
    public var locksDir: String { root + "/locks" }

    public func runDir(_ runId: String) -> String { runsDir + "/" + runId }

    /// Creates the root, `runs/` and `locks/` as needed, each 0700.
    public func prepare() throws(JournalError) {
        try makeDirectories(root)
        try makePrivateDirectory(runsDir)
        try makePrivateDirectory(locksDir)
    }

    private func makeDirectories(_ path: String) throws(JournalError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o700) == 0 {
                chmod(current, 0o700)
            } else if errno != EEXIST {
                throw JournalError("cannot create the state folder '\(current)': \(errnoText(errno).lowercased()); pass --state-dir DIR")
            }
        }
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw JournalError("the state folder '\(path)' is not a folder (a symlink or a file is in the way)")
        }
        if info.st_uid == getuid() && (info.st_mode & 0o077) != 0 { chmod(path, 0o700) }
    }
}

/// Creates a folder with mode 0700 (umask-proof); an existing one must be a real folder.
func makePrivateDirectory(_ path: String, exclusive: Bool = false) throws(JournalError) {
    if mkdir(path, 0o700) == 0 {
        chmod(path, 0o700)
        return
    }
    if errno != EEXIST || exclusive {
        throw JournalError("cannot create folder '\(path)': \(errnoText(errno).lowercased())")
    }
    var info = stat()
    guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
        throw JournalError("'\(path)' is not a folder (a symlink or a file is in the way); remove it")
    }
}

/// Writes a new private file (0600, O_EXCL, no symlinks) with `bytes`; fsyncs it when `sync`
/// (records), not for scratch files that do not outlive the run.
func writePrivateFile(_ path: String, _ bytes: [UInt8], sync: Bool = true) throws(JournalError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw JournalError("cannot create '\(path)': \(errnoText(errno).lowercased())") }
    defer { close(fd) }
    fchmod(fd, 0o600)
    if let code = bytes.withUnsafeBytes({ writeFully(fd, $0) }) {
        throw JournalError("cannot write '\(path)': \(errnoText(code).lowercased())")
    }
    if sync && fsync(fd) != 0 { throw JournalError("cannot sync '\(path)': \(errnoText(errno).lowercased())") }
}

/// Replaces the contents of a scratch file in a private (0700) folder, reusing the file: creating a
/// new inode for every step costs more than the step itself on a busy ext4 /tmp.
func overwriteScratchFile(_ path: String, _ bytes: [UInt8]) throws(JournalError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw JournalError("cannot write '\(path)': \(errnoText(errno).lowercased())") }
    defer { close(fd) }
    if let code = bytes.withUnsafeBytes({ writeFully(fd, $0) }) {
        throw JournalError("cannot write '\(path)': \(errnoText(code).lowercased())")
    }
}
