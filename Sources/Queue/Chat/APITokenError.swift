/// A refusal of the API-token commands, naming the token by its name (never its secret).
public enum APITokenError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A token in force already has this name.
    case nameTaken(String)
    /// No token in force has this name.
    case notFound(String)

    /// A stable code for scripts and API clients.
    public var code: String {
        switch self {
        case .nameTaken: "name_taken"
        case .notFound: "not_found"
        }
    }

    /// The HTTP status a web API answers this refusal with.
    public var httpStatus: Int {
        switch self {
        case .nameTaken: 409
        case .notFound: 404
        }
    }

    public var description: String {
        switch self {
        case .nameTaken(let name):
            "an API token named \(name) is already in force: revoke it first, or pick another name"
        case .notFound(let name): "no API token in force is named \(name)"
        }
    }
}
