import ArgumentParser
import RunbookKit

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a runbook step by step, recording every outcome in a crash-safe journal.",
        discussion: """
            Before each step runbook shows its heading, prose and code and asks what to do: \
            r run, s skip (with a reason), e edit, n note, q quit (pause, resumable), a abort; \
            ? explains the keys. On a failure: r retry, s skip, h shell, q quit, a abort. Manual \
            steps ('- [ ] text') ask d done, s skip, q quit.

            Without a terminal, answers are read one per line from standard input ('r', \
            'skip not needed today', 'q'); at the end of input the run pauses. --yes runs the \
            steps without asking and confirms manual steps as automatic (recorded so); a step \
            marked confirm runs only when --confirm names it, else the run pauses there (exit 5).

            Params come from --set NAME=VALUE, then the environment, then the runbook's \
            default, then a prompt (secrets are read without echo and masked in every record).

            The journal, a byte-exact copy of the runbook and each step's output are kept under \
            the state directory: --state-dir, else RUNBOOK_STATE_DIR, else \
            $XDG_STATE_HOME/runbook, else ~/.local/state/runbook.

            Examples:
              $ runbook run runbooks/rollback.md
              $ runbook run --set TAG=v1.4.2 --incident INC-1234 runbooks/deploy.md
              $ printf 'r\\nr\\nskip already announced\\n' | runbook run runbooks/deploy.md
              $ runbook run --yes --set BACKEND_URL=http://127.0.0.1:8000 runbooks/post-deploy-checklist.md

            \(ExitStatus.summary)
            """
    )

    @Argument(help: "The runbook file.", completion: .file(extensions: ["md", "markdown"]))
    var file: String

    @Flag(name: [.short, .long], help: "Run the steps without asking; confirm manual steps as automatic; a confirm step needs --confirm.")
    var yes = false

    @OptionGroup var params: ParamOptions

    @Option(help: ArgumentHelp("The incident or ticket id, recorded in the run header.", valueName: "ID"))
    var incident: String?

    @Option(help: ArgumentHelp("Start at this step: the ones before it are recorded as not selected.", valueName: "KEY"))
    var from: String?

    @Option(help: ArgumentHelp("Run only this step (repeatable), even one marked skip; the others are recorded as not selected.", valueName: "KEY"))
    var only: [String] = []

    @Flag(
        help:
            "Rehearse: the same walk, prompts and params, but no step's code runs; each is checked (interpreter, folder, syntax, commands on PATH). With --yes: exit 0 when every check passed, 1 when one failed."
    )
    var dryRun = false

    @Flag(help: "Start a new run even though the runbook has an unfinished one (which stays as it is).")
    var newRun = false

    @OptionGroup var confirmation: ConfirmOption

    @OptionGroup var state: StateOptions

    /// An incident id is one line of text: a line break or another control character would break
    /// the header it is shown in and the record's one-line summaries.
    func validate() throws {
        if let incident, incident.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw ValidationError("--incident holds a line break or another control character; give the incident's id on one line, e.g. --incident INC-1234")
        }
    }

    func run() throws {
        let signals = SignalPipe()
        let runbook = try loadRunbook(file, whatNext: "")
        let context = try state.context(signals: signals)
        var request = RunRequest(runbookPath: file, environment: context.environment)
        request.assumeYes = yes
        request.incident = incident
        request.sets = params.pairs
        request.newRun = newRun
        request.rehearsal = dryRun
        request.confirm = KeySelection(confirmation.confirm)
        request.from = from
        request.only = only
        try finish(RunLauncher(context: context).run(request, runbook: runbook), signals: signals)
    }
}
