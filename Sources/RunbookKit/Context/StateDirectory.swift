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
    /// The folder itself.
    public let root: String

    /// The state directory from `--state-dir` (`explicit`) or the environment. An empty `--state-dir`
    /// is an error (a script's unset variable must not send runs to the default folder); an empty
    /// `RUNBOOK_STATE_DIR` counts as unset.
    public static func resolve(explicit: String?, environment: [String: String]) throws(StorageError) -> StateDirectory {
        if let explicit {
            guard !explicit.isEmpty else { throw emptyOption(environment: environment) }
            return StateDirectory(root: explicit)
        }
        if let dir = environment["RUNBOOK_STATE_DIR"], !dir.isEmpty { return StateDirectory(root: dir) }
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") { return StateDirectory(root: xdg + "/runbook") }
        guard let home = environment["HOME"], !home.isEmpty else {
            throw StorageError("cannot find a state directory: HOME is not set; pass --state-dir DIR or set RUNBOOK_STATE_DIR")
        }
        return StateDirectory(root: home + "/.local/state/runbook")
    }

    /// The error for an empty `--state-dir`: it names the option and the folder leaving it out would use.
    public static func emptyOption(environment: [String: String]) -> StorageError {
        let fallback = (try? resolve(explicit: nil, environment: environment)).map { "'\($0.root)'" } ?? "the default"
        return StorageError("--state-dir is empty; give a folder, or leave the option out to use \(fallback)")
    }

    /// A state directory at `root`.
    public init(root: String) { self.root = root }

    /// `runs/`: one folder per run.
    public var runsDir: String { root + "/runs" }
    /// `locks/`: one lock file per runbook.
    public var locksDir: String { root + "/locks" }

    /// The folder of the run `runId`.
    public func runDir(_ runId: String) -> String { runsDir + "/" + runId }

    /// ` --state-dir DIR` when this is not the state directory `environment` gives without one,
    /// else nothing: what a `runbook` command suggested for copy-paste needs to find these runs.
    public func option(environment: [String: String]) -> String {
        let standard = try? StateDirectory.resolve(explicit: nil, environment: environment)
        return standard?.root == root ? "" : " --state-dir \(shellQuoted(root))"
    }

    /// `command` (`runbook resume RUN`, …) as the operator can paste it: with `option(environment:)`.
    public func command(_ command: String, environment: [String: String]) -> String {
        command + option(environment: environment)
    }

    /// Creates the root, `runs/` and `locks/` as needed, each 0700.
    public func prepare() throws(StorageError) {
        try makeDirectories(root)
        try makePrivateDirectory(runsDir)
        try makePrivateDirectory(locksDir)
    }

    private func makeDirectories(_ path: String) throws(StorageError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o700) == 0 {
                chmod(current, 0o700)
            } else if errno != EEXIST {
                throw StorageError("cannot create the state folder '\(current)': \(errnoText(errno).lowercased()); pass --state-dir DIR")
            }
        }
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw StorageError("the state folder '\(path)' is not a folder (a symlink or a file is in the way)")
        }
        if info.st_uid == getuid() && (info.st_mode & 0o077) != 0 { chmod(path, 0o700) }
    }
}
