import Queue

/// Masks credentials in any text that may reach a log line or a job's error: every configured token,
/// secret and key is replaced by its first four characters and `***`.
///
/// A worker has one: its pool passes every error a handler reports through it before the error is
/// stored or logged, and its log passes every line through it again.
public struct SecretRedactor: Sendable {
    private let secrets: [String]

    public init(secrets: [String]) {
        // Longest first, so a secret that contains another is masked whole.
        self.secrets = Array(Set(secrets.filter { $0.count >= 6 })).sorted { $0.count > $1.count }
    }

    public func redact(_ text: String) -> String {
        secrets.reduce(text) { text, secret in
            text.contains(secret) ? text.replacing(secret, with: Self.mask(secret)) : text
        }
    }

    /// The outcome with its error, if it has one, redacted.
    public func redact(_ outcome: JobOutcome) -> JobOutcome {
        guard case .fail(let error, let retryable) = outcome else { return outcome }
        return .fail(error: redact(error), retryable: retryable)
    }

    /// How a secret is shown when it must be mentioned at all.
    public static func mask(_ secret: String) -> String {
        String(secret.prefix(4)) + "***"
    }
}
