import Authentication
import ChatStore
import HTTPServer

/// Tells who sent an API request from its `Authorization: Bearer` header: an API token (`sbk_...`) is a
/// service, anything else is read as a user's JWT. Failed authentications count against the client's
/// address in the limiter shared with the dashboard and intake, which answers 429 once it has failed
/// too often.
struct APIAuthenticator: Sendable {
    let chat: ChatStore
    /// Nil when `api.jwt` is not configured: user routes then refuse every call.
    let users: TokenVerifier?
    let origin: RequestOrigin
    let failures: FailedAttemptLimiter
    /// Where a failure of the database is told, in full.
    let log: @Sendable (String) -> Void

    /// The caller allowed `access`.
    /// - Throws: `APIProblem` 401 (no or a bad credential), 403 (the wrong kind or scope), 429.
    func caller(of request: ServerRequest, for access: APIAccess) async throws(APIProblem) -> APICaller? {
        if access == .anyone { return nil }
        let client = origin.client(of: request)
        do {
            // A client already refused is answered before its credential costs a lookup.
            try failures.attempt(by: client) { ((), .notCounted) }
            let verdict = await check(request)
            // The verdict is told only if the client may still be answered: of many guesses sent at
            // once, those past the limit are refused whatever they held. A success forgets nothing: the
            // ledger is shared with the dashboard's and intake's secrets, and any user of the application
            // holds a valid token, so one must not wipe out another secret's failed guesses.
            let caller = try failures.attempt(by: client) { () -> (Result<APICaller, APIProblem>, AttemptOutcome) in
                switch verdict {
                case .success(let caller): (.success(caller), .notCounted)
                case .failure(let refusal): (.failure(refusal.problem), refusal.guessed ? .failed : .notCounted)
                }
            }.get()
            try Self.permit(caller, access)
            return caller
        } catch let wait as TooManyFailedAttempts {
            throw APIProblem(
                429, "too_many_attempts", "too many failed authentications from this address; retry later",
                headers: ["Retry-After": String(wait.retryAfterSeconds)])
        } catch let problem as APIProblem {
            throw problem
        } catch {
            throw APIProblem.unavailable("the credential could not be checked now; retry")
        }
    }

    /// A refused credential, and whether it counts as a guess: a token whose signature verified but that
    /// has expired (a web app relaying its users' stale tokens from one address) guessed nothing.
    private struct Refusal: Error {
        let problem: APIProblem
        var guessed = true
    }

    private func check(_ request: ServerRequest) async -> Result<APICaller, Refusal> {
        if request.repeatedHeaders.contains("authorization") {
            return .failure(
                Refusal(
                    problem: APIProblem(400, "ambiguous_credentials", "send one Authorization header, not several"),
                    guessed: false))
        }
        guard let header = request.headers["authorization"] else {
            return .failure(
                Refusal(problem: .unauthenticated("send Authorization: Bearer with an API token or a user's token")))
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return .failure(Refusal(problem: .unauthenticated("the Authorization header is not a Bearer credential")))
        }
        let credential = String(parts[1])
        if credential.hasPrefix(APIToken.prefix) {
            do {
                guard let token = try await chat.apiToken(secret: credential) else {
                    return .failure(Refusal(problem: .unauthenticated("the API token is unknown or revoked")))
                }
                return .success(.service(token))
            } catch {
                log("cannot look an API token up: \(error)")
                return .failure(
                    Refusal(problem: .unavailable("the API token could not be checked now; retry"), guessed: false))
            }
        }
        guard let users else {
            return .failure(
                Refusal(problem: .unauthenticated("this server takes no user tokens (api.jwt is not configured)")))
        }
        do {
            return .success(.user(account: try await users.account(of: credential)))
        } catch .keysUnavailable {
            return .failure(Refusal(problem: .unavailable(TokenRefusal.keysUnavailable.description), guessed: false))
        } catch {
            return .failure(Refusal(problem: .unauthenticated(error.description), guessed: !error.signatureVerified))
        }
    }

    /// Refuses a caller the route is not for.
    private static func permit(_ caller: APICaller, _ access: APIAccess) throws(APIProblem) {
        switch (access, caller) {
        case (.user, .user), (.anyone, _): return
        case (.service(let scope), .service(let token)):
            guard token.grants(scope) else {
                throw APIProblem(403, "insufficient_scope", "this API token lacks the \(scope.rawValue) scope")
            }
        case (.user, .service):
            throw APIProblem(403, "user_route", "this route acts for a signed-in user: call it with the user's token")
        case (.service, .user):
            throw APIProblem(403, "service_route", "this route is for services: call it with an API token")
        }
    }
}
