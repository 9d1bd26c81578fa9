#if canImport(Glibc)
    import Glibc
#endif

/// What a step left running when its main process exited: every process of its group or session,
/// every process re-parented to the runner (a subreaper, so orphans of any depth come to it), and
/// every descendant of those, however it got there (a new session under a subshell that is still
/// alive, say). Each is signalled and recorded once, however many passes find it.
struct LeftoverSweep {
    /// The step's process group (its leader's pid).
    let group: Int32
    /// The processes signalled so far, in the order they were found, as recorded.
    private(set) var found: [Leftover] = []
    /// pid and start time of each process found, so a reused pid is not taken for the same process.
    private var seen: Set<ProcessKey> = []

    private struct ProcessKey: Hashable {
        var pid: Int32
        var starttime: UInt64
    }

    init(group: Int32) { self.group = group }

    /// The step's processes still alive now (zombies left out).
    func alive() -> [ProcessEntry] {
        ProcessTable.descendants(group: group, runner: getpid()).filter { $0.state != "Z" && $0.state != "X" }
    }

    /// Sends `signal` to every process of the step still alive and records the new ones; returns
    /// how many were signalled.
    @discardableResult
    mutating func signal(_ signal: Int32) -> Int {
        let processes = alive()
        for process in processes {
            _ = kill(process.pid, signal)
            if seen.insert(ProcessKey(pid: process.pid, starttime: process.starttime)).inserted {
                found.append(Leftover(pid: process.pid, command: process.command))
            }
        }
        if kill(-group, 0) == 0 { _ = kill(-group, signal) }
        return processes.count
    }

    /// KILLs until nothing of the step is left: a process that forks between a scan and its kill
    /// leaves a child that the next scan finds (re-parented to the runner). Gives up after `passes`.
    mutating func killAll(passes: Int = 20) {
        for _ in 0..<passes where signal(SIGKILL) > 0 {
            usleep(2_000)
        }
    }
}

extension ProcessTable {
    /// Every live process belonging to a step whose group is `group`: its group or session, the
    /// runner's children, and all their descendants. The runner itself is never included.
    static func descendants(group: Int32, runner: Int32) -> [ProcessEntry] {
        let table = all()
        var members: Set<Int32> = []
        var result: [ProcessEntry] = []
        for entry in table where entry.pid != runner && (entry.pgrp == group || entry.session == group || entry.ppid == runner) {
            members.insert(entry.pid)
            result.append(entry)
        }
        // Children of members, to any depth (a process's parent may be listed after it).
        var grew = true
        while grew {
            grew = false
            for entry in table where entry.pid != runner && !members.contains(entry.pid) && members.contains(entry.ppid) {
                members.insert(entry.pid)
                result.append(entry)
                grew = true
            }
        }
        return result
    }
}
