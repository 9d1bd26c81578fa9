import ArgumentParser
import RunbookKit

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a paused or interrupted run where it stopped.",
        discussion: """
            Verifies the run's journal (a torn last record from a crash is cut and kept aside; any \
            other damage stops with exit 4), then compares it with the runbook as it is now, step \
            by step, by key: steps that finished are not run again; a finished step whose code \
            changed, and a step whose outcome is unknown (the runner died while it ran), need \
            your decision (an idempotent step with an unknown outcome simply runs again). \
            Variables exported by finished steps come back; params keep their recorded values \
            (secrets must be given again). --yes never guesses: it exits 5 where a decision is needed.

            Before anything runs, every step is listed: finished, to run, changed, added, \
            removed, renamed (same code as a step that vanished), unknown. Steps are matched by \
            key, never by position. A runbook that is no longer the one the run started with \
            (fewer than half of its steps still there) stops the resume with exit 5.

            Give a run id, a run folder, or the runbook file (its latest unfinished run is taken).

            Examples:
              $ runbook resume runbooks/rollback.md
              $ runbook resume 20261126T093000Z-1a2b3c4d
              $ runbook resume --yes --accept-changes announce runbooks/deploy.md
              $ runbook runs          # to find the run id

            \(ExitStatus.summary)
            """
    )

    @Argument(help: "A run id, a run folder, or a runbook file.", completion: .file(extensions: ["md", "markdown"]))
    var target: String?

    @Flag(name: [.short, .long], help: "Run the remaining steps without asking (never decides for you where the record is unclear).")
    var yes = false

    @OptionGroup var params: ParamOptions

    @OptionGroup var decisions: DecisionOptions

    @OptionGroup var confirmation: ConfirmOption

    @OptionGroup var state: StateOptions

    func run() throws {
        guard let target else {
            // No run named: say which can be resumed and how to pick one.
            let state = try state.resolve()
            throw fail(RunListText.resumable(RunCatalog(state: state).list(), state: state, environment: processEnvironment()), .badInput)
        }
        let signals = SignalPipe()
        let context = try state.context(signals: signals)
        let launcher = RunLauncher(context: context)
        let ticket: ResumeTicket
        switch launcher.prepareResume(target) {
        case .success(let found): ticket = found
        case .failure(let outcome): throw ExitCode(exitStatus(for: outcome).rawValue)
        }
        // The run's copy of its runbook is read (and parsed, when it differs) before the runbook
        // as it is now: the two parses are never in memory together.
        let recorded = decisions.newRun ? nil : ticket.readRecordedCopy(comparedWithFileAt: ticket.runbookPath)
        let runbook = try loadRunbook(ticket.runbookPath, whatNext: "the run's copy of the runbook as it started is \(ticket.snapshotPath)")
        var request = RunRequest(runbookPath: ticket.runbookPath, environment: context.environment)
        request.assumeYes = yes
        request.incident = ticket.history.runStart.incident
        request.sets = params.pairs
        decisions.apply(to: &request)
        request.confirm = KeySelection(confirmation.confirm)
        // A rehearsal resumes as a rehearsal: it can never become a live run.
        request.rehearsal = ticket.history.runStart.mode == "rehearsal"
        if decisions.newRun {
            // A fresh run of the runbook as it is now; the old run stays as it is.
            ticket.release()
            try finish(launcher.run(request, runbook: runbook), signals: signals)
            return
        }
        try finish(launcher.resume(ticket, request: request, runbook: runbook, recorded: recorded), signals: signals)
    }
}
