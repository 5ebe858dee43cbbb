/// How much an acknowledged write survives.
public enum Durability: String, Sendable, CaseIterable {
    /// Every commit is flushed to stable storage before it is acknowledged (`synchronous=FULL`):
    /// an acknowledged enqueue or settlement survives a power loss or an operating-system crash.
    case full
    /// Commits reach the operating system but are flushed only at checkpoints (`synchronous=NORMAL`
    /// in WAL mode): an acknowledged write survives the process crashing or being killed, but the
    /// last transactions before a power loss may be rolled back. The database itself stays consistent.
    case normal

    var synchronousPragma: String {
        switch self {
        case .full: "FULL"
        case .normal: "NORMAL"
        }
    }
}
