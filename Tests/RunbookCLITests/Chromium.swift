import Foundation
import RunbookKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Debian's headless Chromium (`apt-get install -y chromium`), driven over the DevTools protocol
/// on a pipe (`--remote-debugging-pipe`: commands on its fd 3, answers and events on its fd 4, each
/// message a JSON object ending in NUL). The page's own session reports every request the page
/// makes, so the browser's background traffic (updates, time sync) is not mistaken for the page's.
final class HeadlessChromium {
    static let path = "/usr/bin/chromium"

    private let pid: pid_t
    private let commands: Int32
    private let answers: Int32
    private var buffer: [UInt8] = []
    private var nextId = 1
    /// Events received while waiting for answers, in order.
    private(set) var events: [[String: Any]] = []

    /// Starts Chromium with its own profile folder under `folder`.
    init(folder: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.path), "headless Chromium is needed at \(Self.path): apt-get install -y chromium")
        var toBrowser: [Int32] = [0, 0]
        var fromBrowser: [Int32] = [0, 0]
        try #require(pipe(&toBrowser) == 0 && pipe(&fromBrowser) == 0)
        // Kept above 4 so that dup2 onto 3 and 4 always makes a new, inheritable descriptor.
        let fds = (toBrowser + fromBrowser).map { fd -> Int32 in
            let high = fcntl(fd, F_DUPFD_CLOEXEC, 10)
            close(fd)
            return high
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[0], 3)
        posix_spawn_file_actions_adddup2(&actions, fds[3], 4)
        let argv = [
            Self.path, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--user-data-dir=\(folder)/chromium-profile",
            "--no-first-run", "--hide-scrollbars", "--force-color-profile=srgb", "about:blank",
        ]
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArgs { free(pointer) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, Self.path, &actions, nil, cArgs, environ)
        close(fds[0])
        close(fds[3])
        try #require(rc == 0, "cannot start \(Self.path): \(rc)")
        pid = child
        commands = fds[1]
        answers = fds[2]
    }

    deinit {
        close(commands)
        close(answers)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    /// Sends a command and returns its `result`; events that come first are kept in `events`.
    @discardableResult
    func call(_ method: String, _ params: [String: Any] = [:], session: String? = nil, timeout: Double = 30) throws -> [String: Any] {
        let id = nextId
        nextId += 1
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if let session { message["sessionId"] = session }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message))
        bytes.append(0)
        let written = bytes.withUnsafeBytes { write(commands, $0.baseAddress, $0.count) }
        try #require(written == bytes.count, "cannot write to Chromium")
        let deadline = monotonicNow() + timeout
        while true {
            let next = try receive(until: deadline, waitingFor: method)
            if next["id"] as? Int == id {
                if let error = next["error"] { Issue.record("\(method) failed: \(error)") }
                return next["result"] as? [String: Any] ?? [:]
            }
            events.append(next)
        }
    }

    /// Waits until an event named `method` arrives (or has arrived) on `session`.
    func waitFor(_ method: String, session: String, timeout: Double = 30) throws {
        let deadline = monotonicNow() + timeout
        if events.contains(where: { $0["method"] as? String == method && $0["sessionId"] as? String == session }) { return }
        while true {
            let next = try receive(until: deadline, waitingFor: method)
            events.append(next)
            if next["method"] as? String == method && next["sessionId"] as? String == session { return }
        }
    }

    private func receive(until deadline: Double, waitingFor what: String) throws -> [String: Any] {
        while true {
            if let end = buffer.firstIndex(of: 0) {
                let message = Array(buffer[..<end])
                buffer.removeSubrange(...end)
                return try #require(try JSONSerialization.jsonObject(with: Data(message)) as? [String: Any])
            }
            let remaining = deadline - monotonicNow()
            try #require(remaining > 0, "Chromium did not answer \(what) in time")
            var poller = [pollfd(fd: answers, events: Int16(POLLIN), revents: 0)]
            _ = poll(&poller, 1, Int32(min(remaining, 1) * 1000))
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = chunk.withUnsafeMutableBytes { read(answers, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            try #require(n != 0, "Chromium closed its DevTools pipe while we waited for \(what)")
            if n > 0 { buffer += chunk[0..<n] }
        }
    }

    /// What loading a page showed.
    struct Page {
        /// Every request the page made, the document's own included.
        var requests: [String]
        /// The value of `script`, evaluated once the page had loaded.
        var value: Any?
        /// A PNG of the whole page, when one was asked for.
        var screenshot: Data?
    }

    /// Opens `url` in a new tab `width` pixels wide, waits for its load event, evaluates `script`
    /// (an expression whose value is JSON-serialisable) and, when `screenshot`, takes a picture of
    /// the whole page.
    func load(_ url: String, width: Int = 1200, script: String, screenshot: Bool = false) throws -> Page {
        let target = try #require(try call("Target.createTarget", ["url": "about:blank"])["targetId"] as? String)
        let session = try #require(try call("Target.attachToTarget", ["targetId": target, "flatten": true])["sessionId"] as? String)
        try call("Emulation.setDeviceMetricsOverride", ["width": width, "height": 900, "deviceScaleFactor": 1, "mobile": false], session: session)
        try call("Network.enable", session: session)
        try call("Page.enable", session: session)
        try call("Page.navigate", ["url": url], session: session)
        try waitFor("Page.loadEventFired", session: session)
        let result = try call("Runtime.evaluate", ["expression": script, "returnByValue": true], session: session)
        var page = Page(requests: [], value: (result["result"] as? [String: Any])?["value"])
        if screenshot {
            let shot = try call("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": true], session: session)
            page.screenshot = (shot["data"] as? String).flatMap { Data(base64Encoded: $0) }
        }
        page.requests = events.compactMap { event in
            guard event["method"] as? String == "Network.requestWillBeSent", event["sessionId"] as? String == session else { return nil }
            return ((event["params"] as? [String: Any])?["request"] as? [String: Any])?["url"] as? String
        }
        return page
    }
}
