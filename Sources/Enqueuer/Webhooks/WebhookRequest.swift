import Foundation

/// A webhook as it arrived over HTTP, for its provider's authenticity check.
public struct WebhookRequest: Sendable {
    public var method: String
    public var query: [String: String]
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: Data

    public init(method: String, query: [String: String] = [:], headers: [String: String] = [:], body: Data) {
        self.method = method
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// What an authenticity check decided.
public enum WebhookVerdict: Sendable, Equatable {
    /// Authentic: this body (decrypted, where the provider encrypts) goes to intake.
    case deliver(Data)
    /// Authentic, and answered by the check itself (WeCom's URL verification).
    case answer(Data)
    /// Not authentic, or not readable as the provider sends it: nothing is written, and the answer does
    /// not say which check failed.
    case refuse
    /// The provider's secret is not configured: its webhooks are refused, never accepted unchecked.
    case notConfigured
}
