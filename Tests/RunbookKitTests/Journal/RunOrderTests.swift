import Testing

@testable import RunbookKit

/// A summary of the run in folder `name` that started at `started`.
private func run(_ name: String, started: String) -> RunSummary {
    RunSummary(
        runId: name, dir: "/state/runs/" + name, runbook: "rb.md", runbookRealpath: "/rb.md", started: started, operatorName: "o@h",
        incident: nil, ended: nil, state: "paused", pid: nil, unknownStep: nil, mode: "live", stepsRecorded: 0, totalSteps: 1)
}

@Suite("The order of runs")
struct RunOrderTests {
    @Test("runs are ordered by their recorded start to the millisecond, then by folder; an unreadable start comes first")
    func oldestFirst() {
        let runs = [
            run("20261204T022105Z-03daa37a", started: "2026-12-04T02:21:05.900Z"),
            run("20261204T022105Z-ff000000", started: "2026-12-04T02:21:05.100Z"),
            run("20261204T022106Z-00000001", started: "2026-12-04T02:21:06.000Z"),
            run("20261204T022106Z-00000000", started: "2026-12-04T02:21:06.000Z"),
            run("20261204T022107Z-bbbbbbbb", started: "not a time"),
            run("20261204T022107Z-aaaaaaaa", started: ""),
        ]
        #expect(
            RunCatalog.oldestFirst(runs).map(\.runId) == [
                "20261204T022107Z-aaaaaaaa", "20261204T022107Z-bbbbbbbb", "20261204T022105Z-ff000000", "20261204T022105Z-03daa37a",
                "20261204T022106Z-00000000", "20261204T022106Z-00000001",
            ])
        #expect(RunCatalog.oldestFirst(runs.reversed()) == RunCatalog.oldestFirst(runs))
    }
}
