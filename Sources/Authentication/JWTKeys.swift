import Foundation
import HTTPClient

/// The keys tokens are checked with: those configured (a shared secret, PEM files, a key set file) and
/// those of a key set URL, fetched with libcurl when first needed, kept, and fetched again when a token
/// names a `kid` none of them has (at most once a `refetchInterval`, a minute unless told otherwise) or when
/// they are older than `maxAge`.
public actor JWTKeys {
    /// The least time between two fetches of the key set URL unless told otherwise: a stream of tokens with
    /// unknown `kid`s cannot make Switchboard hammer the identity provider.
    public static let defaultRefetchInterval = Duration.seconds(60)
    /// How long fetched keys are used before they are fetched again, so a key the provider withdrew
    /// stops being accepted once a fetch succeeds.
    public static let maxAge = Duration.seconds(3600)

    private let configured: [VerificationKey]
    private let refetchInterval: Duration
    private let url: String?
    private let client: HTTPClient?
    private let log: @Sendable (String) -> Void
    private var fetched: [VerificationKey] = []
    private var fetchedAt: ContinuousClock.Instant?
    /// Whether the last fetch failed (the URL did not answer, or answered no key set).
    private var lastFetchFailed = false
    private var lastAttempt: ContinuousClock.Instant?
    private var fetching: Task<Void, Never>?

    /// - Parameters:
    ///   - configured: keys known from the configuration.
    ///   - url: a JWKS URL (https, or http to this machine) to fetch more from.
    ///   - client: the libcurl client it is fetched with (one of its own unless given).
    ///   - refetchInterval: the least time between two fetches.
    ///   - log: where a failed fetch is told.
    public init(
        configured: [VerificationKey], url: String? = nil, client: HTTPClient? = nil,
        refetchInterval: Duration = defaultRefetchInterval, log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.configured = configured
        self.refetchInterval = refetchInterval
        self.url = url
        self.client = url == nil ? nil : client ?? HTTPClient(maxInFlight: 2)
        self.log = log
    }

    /// The keys of `algorithm` a token may be checked with: those with id `keyID` when the token names
    /// one, else all of that algorithm (a key configured without an id checks any token of its algorithm).
    /// Only a token none of the keys in hand can check waits for a fetch; keys past `maxAge` are fetched
    /// again beside the requests they keep checking.
    /// - Throws: `TokenRefusal.keysUnavailable` when no key in hand checks the token and the key set URL
    ///   could not be fetched.
    package func candidates(algorithm: JWTAlgorithm, keyID: String?) async throws(TokenRefusal) -> [VerificationKey] {
        let matching = select(algorithm: algorithm, keyID: keyID)
        // A key set publishes public keys only: an HS256 token never waits for one.
        guard url != nil, algorithm != .hs256 else { return matching }
        let now = ContinuousClock.now
        let due = lastAttempt.map { now - $0 >= refetchInterval } ?? true
        if matching.isEmpty {
            if let fetching {
                await fetching.value
            } else if due {
                await refetch().value
            }
            let found = select(algorithm: algorithm, keyID: keyID)
            if found.isEmpty && (lastFetchFailed || fetchedAt == nil) {
                throw .keysUnavailable
            }
            return found
        }
        if due, fetchedAt.map({ now - $0 >= Self.maxAge }) ?? true {
            _ = refetch()
        }
        return matching
    }

    private func select(algorithm: JWTAlgorithm, keyID: String?) -> [VerificationKey] {
        (configured + fetched).filter { key in
            key.algorithm == algorithm && (keyID == nil || key.id == nil || key.id == keyID)
        }
    }

    /// The fetch under way, or a new one.
    private func refetch() -> Task<Void, Never> {
        if let fetching { return fetching }
        lastAttempt = .now
        let task = Task { await fetchKeys() }
        fetching = task
        return task
    }

    private func fetchKeys() async {
        defer { fetching = nil }
        guard let url, let client else { return }
        do {
            let response = try await client.send(
                HTTPRequest(.get, url, connectTimeout: .seconds(3), totalTimeout: .seconds(5)))
            guard response.status == 200 else {
                lastFetchFailed = true
                log("the JWKS URL answered HTTP \(response.status); keeping the keys fetched before")
                return
            }
            fetched = try JSONWebKeySet.keys(response.body)
            fetchedAt = .now
            lastFetchFailed = false
        } catch {
            lastFetchFailed = true
            log("cannot fetch the JWKS URL: \(error); keeping the keys fetched before")
        }
    }
}
