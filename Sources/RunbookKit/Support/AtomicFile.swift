import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A file written in pieces and put in place whole: the bytes go to a temporary file in the target's
/// folder, which is fsynced, renamed over the target and its folder fsynced. Until `commit` the
/// target is untouched; `discard` (or dropping the writer) removes the temporary file.
///
/// Writes are buffered (64 KiB) so callers can stream many small pieces.
public final class AtomicFileWriter {
    /// The file that `commit` creates or replaces.
    public let path: String
    private let temporaryPath: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private var failure: StorageError?
    private var done = false

    /// Creates the temporary file beside `path` (mode 0666 less the umask, as a shell's `>` would).
    public init(path: String) throws(StorageError) {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        var template = Array("\(folder.isEmpty ? "." : folder)/.\(name).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { $0.baseAddress.map { mkstemp($0) } ?? -1 }
        guard fd >= 0 else { throw StorageError("cannot create a file beside '\(path)': \(errnoText(errno).lowercased())") }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        let mask = umask(0)
        umask(mask)
        fchmod(fd, 0o666 & ~mask)
        self.fd = fd
        temporaryPath = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        buffer.reserveCapacity(1 << 16)
    }

    deinit { discard() }

    /// Appends `text` (UTF-8); a write failure is kept and thrown by `commit`.
    public func write(_ text: String) {
        guard failure == nil, !done else { return }
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Appends `bytes`; a write failure is kept and thrown by `commit`.
    public func write(bytes: [UInt8]) {
        guard failure == nil, !done else { return }
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    private func flush() {
        guard failure == nil, !buffer.isEmpty else { return }
        if let code = buffer.withUnsafeBytes({ writeFully(fd, $0) }) {
            failure = StorageError("cannot write '\(temporaryPath)': \(errnoText(code).lowercased())")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered, fsyncs, renames the temporary file to `path` and fsyncs the folder.
    public func commit() throws(StorageError) {
        guard !done else { return }
        flush()
        if failure == nil && fsync(fd) != 0 { failure = StorageError("cannot sync '\(temporaryPath)': \(errnoText(errno).lowercased())") }
        if let failure {
            discard()
            throw failure
        }
        close(fd)
        fd = -1
        if rename(temporaryPath, path) != 0 {
            let reason = errnoText(errno).lowercased()
            discard()
            throw StorageError("cannot put '\(path)' in place: \(reason)")
        }
        done = true
        try syncDirectory(of: path)
    }

    /// Removes the temporary file; the target stays as it was.
    public func discard() {
        guard !done else { return }
        done = true
        if fd >= 0 { close(fd) }
        fd = -1
        unlink(temporaryPath)
    }
}

/// Writes `bytes` to `path` atomically (temporary file, fsync, rename, folder fsync).
public func writeFileAtomically(_ path: String, _ bytes: [UInt8]) throws(StorageError) {
    let writer = try AtomicFileWriter(path: path)
    writer.write(bytes: bytes)
    try writer.commit()
}
