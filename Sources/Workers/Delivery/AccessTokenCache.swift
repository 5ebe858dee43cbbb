import Foundation

/// A provider access token fetched from app credentials, reused until shortly before it expires, and
/// fetched once however many sends ask for it at the same moment.
actor AccessTokenCache {
    private var token: String?
    private var expiresAt = ContinuousClock.now
    private var refreshing: Task<(String, Duration), any Error>?

    /// The cached token, or a new one from `fetch`, which returns the token and its lifetime.
    func token(fetch: @escaping @Sendable () async throws -> (String, Duration)) async throws -> String {
        if let token, ContinuousClock.now < expiresAt {
            return token
        }
        let task = refreshing ?? Task { try await fetch() }
        refreshing = task
        defer { refreshing = nil }
        let (fresh, lifetime) = try await task.value
        token = fresh
        // Renew a minute early, so a token never expires between the check and the send.
        expiresAt = ContinuousClock.now + max(lifetime - .seconds(60), .seconds(1))
        return fresh
    }

    /// Forgets the token after the provider refused it.
    func invalidate() {
        token = nil
    }
}

/// A token endpoint's answer that did not hold a token.
struct TokenFetchError: Error, CustomStringConvertible {
    let description: String
}
