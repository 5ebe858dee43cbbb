import Foundation

/// Retry policies by job kind, with a default for kinds not listed.
public struct RetryPolicies: Sendable {
    public var fallback: RetryPolicy
    public var byKind: [String: RetryPolicy]

    public init(fallback: RetryPolicy = .standard, byKind: [String: RetryPolicy] = [:]) {
        self.fallback = fallback
        self.byKind = byKind
    }

    public func policy(for kind: String) -> RetryPolicy {
        byKind[kind] ?? fallback
    }
}
