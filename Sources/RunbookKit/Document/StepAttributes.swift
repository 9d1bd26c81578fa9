/// The attributes written after a code step's language, checked and typed.
///
/// The ones most steps leave unset (`name`, `timeout`, `dir`, `env`, `skip`'s reason, `expect-exit`,
/// `rehearse`, `retry-delay`) are kept together in one shared box (`DefaultBox`) that a step
/// without any of them does not have: a parsed runbook costs about 100 bytes a step less
/// (docs/benchmarks.md).
public struct StepAttributes: Sendable, Encodable, Hashable {
    /// `id=`: the step's key, used as written; unique in the file.
    public var id: String? {
        didSet {
            if loneIDColumn != 0 {
                // The compact `written` stood for `id=` with the old value: keep that as written.
                writtenList = [WrittenAttribute(key: "id", value: oldValue, column: Int(loneIDColumn))]
                loneIDColumn = 0
            }
            compactWritten()
        }
    }
    /// `name=`: makes the key the heading path plus `/` plus this name (ignored when `id` is set).
    public var name: String? {
        get { rare.value.name }
        set { rare.value.name = newValue }
    }
    /// `confirm`: ask the operator before running the step (they type its key or `yes`); under `--yes` it
    /// runs only when `--confirm` names it (recorded as a `run` decision), otherwise the run pauses there.
    public var confirm: Bool {
        get { self[flag: Flag.confirm] }
        set { self[flag: Flag.confirm] = newValue }
    }
    /// `interactive`: the step needs the operator's terminal and runs on a pseudo-terminal.
    public var interactive: Bool {
        get { self[flag: Flag.interactive] }
        set { self[flag: Flag.interactive] = newValue }
    }
    /// Whether the step is marked never to run.
    public var skip: Bool {
        get { self[flag: Flag.skip] }
        set { self[flag: Flag.skip] = newValue }
    }
    /// `idempotent`: running the step again is safe, so resume reruns it when its outcome is unknown.
    public var idempotent: Bool {
        get { self[flag: Flag.idempotent] }
        set { self[flag: Flag.idempotent] = newValue }
    }
    /// `retries=`: extra attempts after a failure before `onFailure` applies (the parser takes at
    /// most 100; more than 255 is kept as 255).
    public var retries: Int {
        get { Int(retryCount) }
        set { retryCount = UInt8(clamping: newValue) }
    }
    /// The attributes as written, in order (`key`, `value`), for display.
    public var written: [WrittenAttribute] {
        get {
            guard loneIDColumn != 0 else { return writtenList }
            return [WrittenAttribute(key: "id", value: id, column: Int(loneIDColumn))]
        }
        set {
            writtenList = newValue
            loneIDColumn = 0
            compactWritten()
        }
    }
    /// `confirm`, `interactive`, `skip` and `idempotent`, a bit each (`Flag`).
    private var flags: UInt8 = 0
    /// `on-failure=`: what happens once the step has failed and its retries are used up.
    public var onFailure: FailurePolicy = .prompt
    /// `retries`, in 1 byte.
    private var retryCount: UInt8 = 0
    /// The column of a lone `id=` that `writtenList` leaves out; 0 when it leaves nothing out.
    private var loneIDColumn: Int32 = 0
    /// `written`, except when it is only `id=` with `id`'s value (most steps that set anything):
    /// then it is empty and `loneIDColumn` says where the `id` stands. An array of one attribute
    /// took 72 bytes a step.
    private var writtenList: [WrittenAttribute] = []
    /// The attributes few steps set.
    private var rare = DefaultBox<RareAttributes>()

    private enum Flag {
        static let confirm: UInt8 = 1
        static let interactive: UInt8 = 2
        static let skip: UInt8 = 4
        static let idempotent: UInt8 = 8
    }

    /// Whether `flag` is set in `flags`.
    private subscript(flag flag: UInt8) -> Bool {
        get { flags & flag != 0 }
        set { flags = newValue ? flags | flag : flags & ~flag }
    }

    /// Keeps a lone `id=` of `id`'s value as its column only, so equal attributes are stored alike.
    private mutating func compactWritten() {
        guard loneIDColumn == 0, writtenList.count == 1, let id, writtenList[0].key == "id", writtenList[0].value == id,
            let column = Int32(exactly: writtenList[0].column), column > 0
        else { return }
        loneIDColumn = column
        writtenList = []
    }

    /// `timeout=`: the step's own limit; nil when it sets none and the front matter default applies.
    public var timeout: StepTimeout? {
        get { rare.value.timeout }
        set { rare.value.timeout = newValue }
    }
    /// `dir=`: the step's working directory, overriding the front matter `dir`.
    public var dir: String? {
        get { rare.value.dir }
        set { rare.value.dir = newValue }
    }
    /// `env=NAME=value`: environment variables for this step only, in the order written.
    public var env: [EnvVar] {
        get { rare.value.env }
        set { rare.value.env = newValue }
    }
    /// Why it is skipped, when the runbook says.
    public var skipReason: String? {
        get { rare.value.skipReason }
        set { rare.value.skipReason = newValue }
    }
    /// Exit codes that count as success (default `[0]`).
    public var expectExit: [Int32] {
        get { rare.value.expectExit }
        set { rare.value.expectExit = newValue }
    }
    /// `rehearse="…"`: a read-only command a rehearsal (`run --dry-run`) runs instead of the step.
    public var rehearse: String? {
        get { rare.value.rehearse }
        set { rare.value.rehearse = newValue }
    }
    /// `retry-delay=5s`: seconds to wait before the first automatic retry; the wait doubles each
    /// time (at most 60 s). Nil: 2 s. `retry-delay=0s` retries at once.
    public var retryDelay: Double? {
        get { rare.value.retryDelay }
        set { rare.value.retryDelay = newValue }
    }

    /// Attributes as a step without any has them.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case id, name, timeout, confirm, retries
        case onFailure = "on_failure"
        case interactive, dir, env, skip
        case skipReason = "skip_reason"
        case idempotent
        case expectExit = "expect_exit"
        case rehearse
        case retryDelay = "retry_delay"
        case written
    }

    /// Writes every attribute, set or not, in the order `show --json` has always had.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encodeIfPresent(name, forKey: .name)
        try c.encodeIfPresent(timeout, forKey: .timeout)
        try c.encode(confirm, forKey: .confirm)
        try c.encode(retries, forKey: .retries)
        try c.encode(onFailure, forKey: .onFailure)
        try c.encode(interactive, forKey: .interactive)
        try c.encodeIfPresent(dir, forKey: .dir)
        try c.encode(env, forKey: .env)
        try c.encode(skip, forKey: .skip)
        try c.encodeIfPresent(skipReason, forKey: .skipReason)
        try c.encode(idempotent, forKey: .idempotent)
        try c.encode(expectExit, forKey: .expectExit)
        try c.encodeIfPresent(rehearse, forKey: .rehearse)
        try c.encodeIfPresent(retryDelay, forKey: .retryDelay)
        try c.encode(written, forKey: .written)
    }
}

/// The attributes few steps set, as one value.
private struct RareAttributes: BoxDefault {
    var name: String?
    var timeout: StepTimeout?
    var dir: String?
    var env: [EnvVar] = []
    var skipReason: String?
    var expectExit: [Int32] = [0]
    var rehearse: String?
    var retryDelay: Double?
}

/// One attribute as written in the fence's info string.
public struct WrittenAttribute: Sendable, Codable, Hashable {
    /// The attribute's name as written, aliases and ignored Runme attributes included (`cwd`).
    public var key: String
    /// The value, or nil for a bare flag such as `confirm`.
    public var value: String?
    /// Column of the key in the file.
    public var column: Int
}
