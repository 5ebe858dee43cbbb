/// A refusal of the account-linking rules, with the HTTP status a web API would answer with. The code is
/// a struct over a private enum, so a new code breaks no caller.
public struct LinkError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case notFound = "not_found"
            case notOwner = "not_owner"
            case alreadyLinked = "already_linked"
            case expiredOrUsed = "expired_or_used"
            case wrongFlow = "wrong_flow"
            case tooManyPending = "too_many_pending"
            case malformedToken = "malformed_token"
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The code as text, for scripts: `not_found`, `expired_or_used` ...
        public var description: String { base.rawValue }

        /// The HTTP status a web API answers this refusal with.
        public var httpStatus: Int {
            switch base {
            case .notFound: 404
            case .notOwner: 403
            case .alreadyLinked: 409
            case .expiredOrUsed: 410
            case .wrongFlow: 400
            case .tooManyPending: 429
            case .malformedToken: 422
            }
        }

        public static let notFound = Code(.notFound)
        public static let notOwner = Code(.notOwner)
        public static let alreadyLinked = Code(.alreadyLinked)
        /// The token or code is expired, already used, or superseded by a newer one.
        public static let expiredOrUsed = Code(.expiredOrUsed)
        /// A token of one flow (server or user) was presented to the other.
        public static let wrongFlow = Code(.wrongFlow)
        public static let tooManyPending = Code(.tooManyPending)
        /// The token does not have the shape of one, so it was not looked up.
        public static let malformedToken = Code(.malformedToken)
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The HTTP status this refusal maps to.
    public var httpStatus: Int { code.httpStatus }

    public var description: String { message }

    static let malformed = LinkError(.malformedToken, "token is malformed: expected 1 to 64 of A-Z a-z 0-9 _ -")
}
