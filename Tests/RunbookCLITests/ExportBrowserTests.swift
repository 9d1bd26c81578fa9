import Foundation
import RunbookKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The repository's root folder.
private let repository: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// A free TCP port on 127.0.0.1 (bound, read, released).
private func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    try #require(bound)
    return Int(UInt16(bigEndian: address.sin_port))
}

/// `python3 -m http.server` serving examples/demo-site, the stand-in backend and frontend the demo uses.
private final class DemoSite {
    let url: String
    private var pid: pid_t = 0

    init() throws {
        let port = try freePort()
        url = "http://127.0.0.1:\(port)"
        let argv = ["/usr/bin/env", "python3", "-m", "http.server", "\(port)", "--bind", "127.0.0.1", "--directory", repository + "/examples/demo-site"]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArgs { free(pointer) } }
        try #require(posix_spawn(&pid, argv[0], &actions, nil, cArgs, environ) == 0)
        let up = eventually(timeout: 10) {
            spawnAndWait(["/usr/bin/env", "curl", "-fsS", url + "/healthz/"], stdin: nil, environment: ["PATH": "/usr/bin:/bin"], cwd: nil, timeout: 5).status
                == 0
        }
        try #require(up, "the demo site did not come up at \(url)")
    }

    deinit {
        // SIGKILL: the test process's signal mask (inherited through posix_spawn) may block SIGTERM.
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}

/// For every `li.step`: its key, outcome, title and height on the page (0 when it is not shown).
private let stepsScript = """
    JSON.stringify([...document.querySelectorAll('li.step')].map(e => ({key: e.dataset.key, outcome: e.dataset.outcome,
      title: e.querySelector('.title').innerText, height: e.getBoundingClientRect().height,
      visible: getComputedStyle(e).display !== 'none' && getComputedStyle(e).visibility !== 'hidden'})))
    """

@Suite("the HTML export in headless Chromium", .tags(.endToEnd, .slow), .serialized)
struct ExportBrowserTests {
    @Test(
        "a real run of the shipped post-deploy checklist: its HTML export makes no request and shows every step (RUNBOOK_RECORD_SCREENSHOT=1 keeps docs/export-html.png)"
    )
    func postDeployChecklist() throws {
        let box = Sandbox()
        let site = try DemoSite()
        let checklist = repository + "/runbooks/post-deploy-checklist.md"
        // Run from the repository as the demo does, so the record names the runbook as a reader would.
        let run = runbook(
            [
                "run", "--yes", "--state-dir", box.state, "--incident", "DEMO-1", "--set", "BACKEND_URL=\(site.url)", "--set",
                "FRONTEND_URL=\(site.url)", "--set", "TAG=v1.0.0", "--set", "PROBE_COUNT=5", "runbooks/post-deploy-checklist.md",
            ], cwd: repository)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let dir = try #require(box.runDirs().last)
        let file = box.root + "/record.html"
        let export = runbook(["export", dir, "-o", file])
        #expect(export.status == 0, "\(export.stderr)")
        let plan = runbook(["show", "--json", checklist])
        let steps = try #require((try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])?["steps"] as? [[String: Any]])
        let records = try box.journal()

        let browser = try HeadlessChromium(folder: box.root)
        let page = try browser.load("file://" + file, width: 1100, script: stepsScript, screenshot: true)
        #expect(page.requests == ["file://" + file], "the export made requests: \(page.requests)")
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(((page.value as? String) ?? "").utf8)) as? [[String: Any]])
        #expect(shown.count == steps.count)
        for (step, row) in zip(steps, shown) {
            let key = try #require(step["key"] as? String)
            let ended = records.last { $0.type == .stepEnd && $0.key == key }
            #expect(row["key"] as? String == key)
            #expect(row["outcome"] as? String == ended?.status, "\(key)")
            #expect(row["title"] as? String == step["title"] as? String)
            #expect(row["visible"] as? Bool == true && (row["height"] as? Double ?? 0) > 20, "\(key) is not shown: \(row)")
        }
        let screenshot = try #require(page.screenshot)
        #expect(screenshot.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
        if ProcessInfo.processInfo.environment["RUNBOOK_RECORD_SCREENSHOT"] == "1" {
            try screenshot.write(to: URL(fileURLWithPath: repository + "/docs/export-html.png"))
        }
    }

    @Test("the request check sees a page's fetches (a control page with an image from the network)")
    func control() throws {
        let box = Sandbox()
        let file = box.write("control.html", "<!DOCTYPE html><html><body><img src=\"http://example.invalid/pixel.png\"><p>x</p></body></html>")
        let browser = try HeadlessChromium(folder: box.root)
        let page = try browser.load("file://" + file, script: "document.querySelectorAll('img').length")
        #expect(page.requests.contains("http://example.invalid/pixel.png"), "\(page.requests)")
        #expect(page.value as? Int == 1)
    }
}
