import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A failure to create, write or sync a file or folder (run folders, output files, scratch files).
public struct StorageError: Error, CustomStringConvertible, Sendable {
    /// What failed, where, and what to do next.
    public let message: String

    /// An error with its message.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

/// Creates a folder with mode 0700 (umask-proof); an existing one must be a real folder.
func makePrivateDirectory(_ path: String, exclusive: Bool = false) throws(StorageError) {
    if mkdir(path, 0o700) == 0 {
        chmod(path, 0o700)
        return
    }
    if errno != EEXIST || exclusive {
        throw StorageError("cannot create folder '\(path)': \(errnoText(errno).lowercased())")
    }
    var info = stat()
    guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
        throw StorageError("'\(path)' is not a folder (a symlink or a file is in the way); remove it")
    }
}

/// Writes a new private file (0600, O_EXCL, no symlinks) with `bytes`; fsyncs it when `sync`
/// (records), not for scratch files that do not outlive the run.
func writePrivateFile(_ path: String, _ bytes: [UInt8], sync: Bool = true) throws(StorageError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw StorageError("cannot create '\(path)': \(errnoText(errno).lowercased())") }
    defer { close(fd) }
    fchmod(fd, 0o600)
    if let code = bytes.withUnsafeBytes({ writeFully(fd, $0) }) {
        throw StorageError("cannot write '\(path)': \(errnoText(code).lowercased())")
    }
    if sync && fsync(fd) != 0 { throw StorageError("cannot sync '\(path)': \(errnoText(errno).lowercased())") }
}

/// Replaces the contents of a scratch file in a private (0700) folder, reusing the file: creating a
/// new inode for every step costs more than the step itself on a busy ext4 /tmp.
func overwriteScratchFile(_ path: String, _ bytes: [UInt8]) throws(StorageError) {
    // Written over from the start, then cut to its new length: no O_TRUNC, so a file rewritten every
    // step keeps its block instead of freeing and allocating it again (7% of the runner's time per step).
    let fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw StorageError("cannot write '\(path)': \(errnoText(errno).lowercased())") }
    defer { close(fd) }
    if let code = bytes.withUnsafeBytes({ writeFully(fd, $0) }) {
        throw StorageError("cannot write '\(path)': \(errnoText(code).lowercased())")
    }
    if ftruncate(fd, off_t(bytes.count)) != 0 { throw StorageError("cannot write '\(path)': \(errnoText(errno).lowercased())") }
}

/// fsyncs the folder holding `path`, so a newly created file survives a crash.
func syncDirectory(of path: String) throws(StorageError) {
    let dir = (path as NSString).deletingLastPathComponent
    let fd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { throw StorageError("cannot open folder '\(dir)': \(errnoText(errno).lowercased())") }
    defer { close(fd) }
    if fsync(fd) != 0 { throw StorageError("cannot sync folder '\(dir)': \(errnoText(errno).lowercased())") }
}

/// Writes all of `bytes` to `fd`, retrying short writes and EINTR/EAGAIN, ignoring failures (the
/// screen: a closed terminal must not stop a run that is still recording).
func writeAllIgnoringErrors(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress else { return }
    var offset = 0
    while offset < bytes.count {
        let n = write(fd, base + offset, bytes.count - offset)
        if n < 0 {
            if errno == EINTR || errno == EAGAIN { continue }
            return
        }
        offset += n
    }
}
