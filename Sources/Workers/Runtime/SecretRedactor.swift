import JSON
import Queue

/// Masks credentials in any text that may reach a log line or a job's error: every configured token,
/// secret and key is replaced by its first four characters and `***`; the database password by `***`
/// alone (a password is short enough that four characters of it matter).
///
/// A worker has one: its pool passes every error a handler reports through it before the error is
/// stored or logged, and its log passes every line through it again. Each credential is also looked for
/// as a JSON string writes it (a `"` or `\` escaped), since log lines are masked after they are encoded.
public struct SecretRedactor: Sendable {
    /// What is replaced, longest first, so a secret that contains another is masked whole.
    private let replacements: [(secret: String, mask: String)]

    /// - Parameters:
    ///   - secrets: tokens and keys, shown as their first four characters and `***`.
    ///   - passwords: shown as `***`.
    ///
    /// Credentials shorter than 6 characters are not looked for: masking every `abc` would garble the text.
    public init(secrets: [String], passwords: [String] = []) {
        var masks: [String: String] = [:]
        for (values, mask) in [(secrets, Self.mask), (passwords, { _ in "***" })] {
            for value in values where value.count >= 6 {
                masks[value] = mask(value)
                masks[Self.jsonEscaped(value)] = mask(value)
            }
        }
        replacements = masks.map { ($0.key, $0.value) }.sorted { $0.secret.count > $1.secret.count }
    }

    public func redact(_ text: String) -> String {
        replacements.reduce(text) { text, replacement in
            text.contains(replacement.secret) ? text.replacing(replacement.secret, with: replacement.mask) : text
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

    /// `text` as it appears inside a JSON string, without the quotes.
    private static func jsonEscaped(_ text: String) -> String {
        String(String(decoding: JSONValue.string(text).serialized, as: UTF8.self).dropFirst().dropLast())
    }
}
