import Foundation

/// When a new job may first run.
public enum RunAt: Sendable, Equatable {
    case now
    case after(Duration)
    case at(Timestamp)

    func resolve(now: Timestamp) -> Timestamp {
        switch self {
        case .now: now
        case .after(let delay): now + delay
        case .at(let time): time
        }
    }
}
