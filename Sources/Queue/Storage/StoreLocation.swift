import Foundation

/// Where a Switchboard database lives: a SQLite file, or a PostgreSQL database named by URL.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    /// A `postgres://` or `postgresql://` URL (libpq's connection URI).
    case postgres(url: String)

    /// A URL with a PostgreSQL scheme selects PostgreSQL; anything else is a SQLite path.
    public init(_ text: String) {
        let lowered = text.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            self = .postgres(url: text)
        } else {
            self = .sqlite(path: text)
        }
    }

    /// The location as given, password included: for a child process's environment, never for output.
    public var connectionText: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): url
        }
    }

    /// For messages and logs: the path, or the URL with its password masked.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): Self.maskingPassword(url)
        }
    }

    /// The URL with the password of its user part and any `password=` parameter replaced by `***`.
    static func maskingPassword(_ url: String) -> String {
        var masked = url
        if let scheme = masked.range(of: "://") {
            let rest = masked[scheme.upperBound...]
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                masked.replaceSubrange(masked.index(after: colon)..<at, with: "***")
            }
        }
        if let query = masked.firstIndex(of: "?") {
            let parameters = masked[masked.index(after: query)...].split(
                separator: "&", omittingEmptySubsequences: false)
            let rewritten = parameters.map { parameter in
                parameter.lowercased().hasPrefix("password=") ? "password=***" : String(parameter)
            }
            masked = masked[...query] + rewritten.joined(separator: "&")
        }
        return masked
    }
}
