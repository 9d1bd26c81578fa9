import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes what `adopt` made: whole or not at all, through a temporary file beside the target renamed
/// over it, so a runbook is never left half written. A symlink is written through: the file it points
/// to is replaced and the link stays a link.
public enum AdoptFile {
    /// Writes `bytes` to `path`, or to the regular file `path` links to. An existing file keeps its
    /// permissions; a new one gets 0644 less the umask. `replacing` says `path` is the runbook itself
    /// (its message on failure says so).
    public static func write(_ bytes: [UInt8], to named: String, replacing: Bool) throws(StorageError) {
        let path = try target(of: named, replacing: replacing)
        var info = stat()
        let existing = stat(path, &info) == 0
        let mode: mode_t = existing ? info.st_mode & 0o7777 : 0o644 & ~currentUmask()
        let temporary = path + ".adopt-\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw StorageError("cannot write beside '\(path)': \(String(cString: strerror(errno)).lowercased())") }
        var failure: String?
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress?.advanced(by: offset), buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    failure = String(cString: strerror(errno)).lowercased()
                    return
                }
                offset += n
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = String(cString: strerror(errno)).lowercased() }
        fchmod(fd, mode)
        close(fd)
        if failure == nil && rename(temporary, path) != 0 { failure = String(cString: strerror(errno)).lowercased() }
        if let failure {
            unlink(temporary)
            let what = replacing ? "'\(path)' is unchanged" : "nothing was written to '\(path)'"
            throw StorageError("cannot write '\(path)': \(failure); \(what)")
        }
    }

    /// The file a write to `path` replaces: `path` itself, or the real path of the file the symlink
    /// `path` points to; a link to nothing or to something other than a regular file is an error naming it.
    public static func target(of path: String, replacing: Bool) throws(StorageError) -> String {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return path }
        let what = replacing ? "'\(path)' is unchanged" : "nothing was written"
        let fix = "point the link at the runbook, or name the runbook's own file"
        guard let resolved = realpath(path, nil) else {
            let code = errno
            let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
            let state = code == ENOENT ? "which does not exist" : "which cannot be followed (\(errnoText(code).lowercased()))"
            throw StorageError("'\(path)' is a symlink to '\(link)', \(state); \(what); \(fix)")
        }
        defer { free(resolved) }
        let real = String(cString: resolved)
        guard stat(real, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw StorageError("'\(path)' is a symlink to '\(real)', which is not a regular file; \(what); \(fix)")
        }
        return real
    }

    private static func currentUmask() -> mode_t {
        let mask = umask(0)
        umask(mask)
        return mask
    }
}
