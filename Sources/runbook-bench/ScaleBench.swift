// `runbook-bench verify`, continued: `runbook resume` of the 100,000-record run, and `runbook runs`
// over a state folder of 10,000 runs (issue 7's scale targets: each under 1 s; resume under 64 MiB).
import Foundation
import RunbookKit

/// Prints one measurement and whether it meets its targets (`memoryTarget` nil: time only).
func reportScale(_ what: String, times: [Double], peakKiB: Int, memoryTarget: Double? = 64) {
    let t = median(times)
    let mib = Double(peakKiB) / 1024
    let memory = memoryTarget.map { String(format: ", < %.0f MiB: %@", $0, mib < $0 ? "met" : "MISSED") } ?? ""
    print(
        String(
            format: "  %@: median %.0f ms, min %.0f ms, peak RSS %.1f MiB over %d runs (targets < 1 s: %@%@)", what, t * 1000,
            (times.min() ?? .nan) * 1000, mib, times.count, t < 1 ? "met" : "MISSED", memory))
}

/// `runbook resume --yes` of the run in `run` (every step finished, no run_end): verifies the
/// journal under the lock, compares the runbook, runs nothing and ends the run. Each round resumes
/// a fresh copy of the run in its own state folder (a resumed run has ended).
func benchResume(_ exe: String, run: String, scratch: String) {
    let runId = (run as NSString).lastPathComponent
    var times: [Double] = []
    var most = 0
    for round in 0..<4 {
        let state = scratch + "/resume-\(round)"
        do {
            try FileManager.default.createDirectory(atPath: state + "/runs", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: run, toPath: state + "/runs/" + runId)
        } catch {
            print("  runbook resume: skipped, cannot copy the bench run: \(error)")
            return
        }
        let (seconds, peak, code) = spawnTimed([exe, "resume", "--yes", "--state-dir", state, runId])
        precondition(code == 0, "runbook resume exited \(code)")
        try? FileManager.default.removeItem(atPath: state)
        if round > 0 { (times, most) = (times + [seconds], max(most, peak)) }  // the first warms the cache
    }
    reportScale("runbook resume --yes (verify once under the lock, plan, end the run)", times: times, peakKiB: most)
}

/// `runbook runs` over a state folder of 10,000 runs of 3 steps each (11 or 10 records): nine in
/// ten completed, the rest interrupted after their last step.
func benchManyRuns(_ exe: String, scratch: String) {
    let state = scratch + "/many"
    let count = 10_000
    let started = now()
    do { try writeManyRuns(under: state, count: count) } catch {
        print("  runbook runs over \(count) runs: skipped, cannot write them: \(error)")
        return
    }
    print(String(format: "  (%d runs of 3 steps written in %.1f s)", count, now() - started))
    var times: [Double] = []
    var most = 0
    for round in 0..<4 {
        let (seconds, peak, code) = spawnTimed([exe, "runs", "--state-dir", state])
        precondition(code == 0, "runbook runs exited \(code)")
        if round > 0 { (times, most) = (times + [seconds], max(most, peak)) }
    }
    reportScale("runbook runs over \(count) runs", times: times, peakKiB: most)
}

/// Writes `count` runs of 3 steps under `state`/runs, of 50 runbooks: nine in ten completed.
func writeManyRuns(under state: String, count: Int = 10_000) throws {
    for i in 0..<count {
        let runId = String(format: "20261201T%06dZ-%08x", i / 100, i)
        _ = try writeRun(at: state + "/runs/" + runId, steps: 3, runId: runId, runbookPath: "/srv/many-\(i % 50).md", ended: i % 10 != 0)
    }
}
