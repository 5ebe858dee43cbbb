/// Why a file could not be fetched.
enum AttachmentFailure: Error, Equatable {
    /// A failure that may pass: the provider or the network failed, or asked to slow down. The turn is
    /// tried again, as after any failed call, until its last attempt.
    case transient(String)
    /// A failure that another attempt would meet again (too large, a host that is not the provider's,
    /// refused by the provider, undecryptable): the agent is told the file could not be read.
    case unreadable(String)

    var reason: String {
        switch self {
        case .transient(let reason), .unreadable(let reason): reason
        }
    }
}
