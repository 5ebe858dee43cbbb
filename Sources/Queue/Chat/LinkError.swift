/// A refusal of the account-linking rules, with the HTTP status a web API would answer with.
public struct LinkError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case notFound = "not_found"
        case notOwner = "not_owner"
        case alreadyLinked = "already_linked"
        /// The token or code is expired, already used, or superseded by a newer one.
        case expiredOrUsed = "expired_or_used"
        /// A token of one flow (server or user) was presented to the other.
        case wrongFlow = "wrong_flow"
        case tooManyPending = "too_many_pending"
        /// The token does not have the shape of one, so it was not looked up.
        case malformedToken = "malformed_token"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The HTTP status this refusal maps to.
    public var httpStatus: Int {
        switch code {
        case .notFound: 404
        case .notOwner: 403
        case .alreadyLinked: 409
        case .expiredOrUsed: 410
        case .wrongFlow: 400
        case .tooManyPending: 429
        case .malformedToken: 422
        }
    }

    public var description: String { message }

    static let malformed = LinkError(.malformedToken, "token is malformed: expected 1 to 64 of A-Z a-z 0-9 _ -")
}
