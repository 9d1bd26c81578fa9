#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failure to read a file, with the operating system's reason.
public struct FileReadError: Error, CustomStringConvertible, Sendable {
    /// The path as given.
    public let path: String
    /// What went wrong, lower-case.
    public let reason: String

    /// `cannot read 'PATH': REASON`, as printed after `runbook: error:`.
    public var description: String { "cannot read '\(path)': \(reason)" }
}

/// The text for an `errno` value.
func errnoText(_ code: Int32) -> String {
    String(cString: strerror(code))
}

/// Reads a whole regular file, refusing anything over `limit` bytes without reading it.
///
/// Returns the bytes, or `.tooLarge(size)` when the file is over the limit.
enum FileContents {
    case bytes([UInt8])
    case tooLarge(Int)
}

func readRegularFile(_ path: String, limit: Int) throws(FileReadError) -> FileContents {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { throw FileReadError(path: path, reason: errnoText(errno).lowercased()) }
    defer { close(fd) }
    var info = stat()
    if fstat(fd, &info) != 0 { throw FileReadError(path: path, reason: errnoText(errno).lowercased()) }
    if (info.st_mode & S_IFMT) == S_IFDIR { throw FileReadError(path: path, reason: "it is a directory, not a Markdown file") }
    if (info.st_mode & S_IFMT) == S_IFREG && Int(info.st_size) > limit { return .tooLarge(Int(info.st_size)) }
    var result = [UInt8]()
    result.reserveCapacity(max(Int(info.st_size), 0))
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw FileReadError(path: path, reason: errnoText(errno).lowercased())
        }
        if n == 0 { break }
        result.append(contentsOf: chunk[0..<n])
        if result.count > limit { return .tooLarge(result.count) }
    }
    return .bytes(result)
}

/// Writes all of `bytes` to `fd`, retrying short writes and EINTR. Returns nil, or the errno of the failure.
func writeFully(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
    guard let base = bytes.baseAddress else { return nil }
    var offset = 0
    while offset < bytes.count {
        let n = write(fd, base + offset, bytes.count - offset)
        if n < 0 {
            if errno == EINTR { continue }
            return errno
        }
        offset += n
    }
    return nil
}
