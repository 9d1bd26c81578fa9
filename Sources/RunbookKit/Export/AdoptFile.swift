import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes what `adopt` made: whole or not at all, through a temporary file beside the target renamed
/// over it, so a runbook is never left half written.
public enum AdoptFile {
    /// Writes `bytes` to `path`. An existing file keeps its permissions; a new one gets 0644 less the umask.
    /// `replacing` says `path` is the runbook itself (its message on failure says so).
    public static func write(_ bytes: [UInt8], to path: String, replacing: Bool) throws(StorageError) {
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

    private static func currentUmask() -> mode_t {
        let mask = umask(0)
        umask(mask)
        return mask
    }
}
