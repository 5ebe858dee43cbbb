import ChatStore
import Enqueuer
import Foundation
import HTTPClient
import JSON
import Queue

/// What the clients share: the HTTP client, and the redactor every error message passes through.
package struct ClientContext: Sendable {
    let http: HTTPClient
    let settings: ProviderSettings
    let redactor: SecretRedactor
    let connectTimeout: Duration
    let requestTimeout: Duration
    /// Where replies that go out over a provider's socket are queued (WeCom's AI bot); nil where none can.
    var chat: ChatStore? = nil

    /// How long an upload of a file may take at least, whatever the timeout of other requests.
    static let uploadTimeout = Duration.seconds(120)

    /// Sends with the configured timeouts and Switchboard's User-Agent (unless the client set its own); a
    /// transport failure is a retry, with a redacted reason.
    /// - Parameter uploading: the request carries a file, and may take `uploadTimeout`.
    func send(_ request: HTTPRequest, uploading: Bool = false) async throws(SendFailure) -> HTTPResponse {
        var request = request
        request.connectTimeout = connectTimeout
        request.totalTimeout = uploading ? max(requestTimeout, Self.uploadTimeout) : requestTimeout
        if !request.headers.contains(where: { $0.name.lowercased() == "user-agent" }) {
            request.headers.append(("User-Agent", "Switchboard/\(SwitchboardVersion.current)"))
        }
        do {
            return try await http.send(request)
        } catch {
            throw SendFailure(outcome: .retry(redactor.redact("transport: \(error)")))
        }
    }

    /// The provider's access token from `cache`, fetched with `fetch` when needed; failing to get one
    /// is a retry.
    func token(_ cache: AccessTokenCache, fetch: @escaping @Sendable () async throws -> (String, Duration))
        async throws(SendFailure)
        -> String
    {
        do {
            return try await cache.token(fetch: fetch)
        } catch {
            throw SendFailure(outcome: .retry(redactor.redact("\(settings.baseURL) token: \(error)")))
        }
    }

    /// Refuses an upload address a provider's answer gave (Slack's upload URL, WeChat's CDN) unless it is
    /// on the provider's own hosts, as its file downloads must be: the bytes go nowhere else.
    func checkUploadAddress(_ url: String, of downloads: any AttachmentDownloading, provider: String)
        throws(SendFailure)
    {
        do {
            try AttachmentFetcher.check(url, source: .init(downloads: downloads, baseURL: settings.baseURL))
        } catch {
            throw SendFailure(outcome: .reject("\(provider): the upload address it gave was \(error.reason)"))
        }
    }

    /// The outcome for a status that says nothing more specific: 429 slow down, 5xx retry, other 4xx reject.
    func byStatus(_ response: HTTPResponse, to message: OutboundMessage, bucket: String, provider: String)
        -> SendOutcome
    {
        switch response.status {
        case 200..<300: .delivered(messageID: nil)
        case 429: .slowDown(after: .providerWait(response.retryAfterSeconds), bucket: bucket)
        case 500...: .retry("\(provider) answered HTTP \(response.status)")
        default:
            .reject(
                "\(provider) answered HTTP \(response.status): "
                    + describe(String(decoding: response.body, as: UTF8.self), answering: message)
            )
        }
    }

    /// Text from a provider's answer to `message`, fit for a job's error and a log line: credentials masked
    /// and the message's own text taken out (a provider may echo what it was sent) while the text is
    /// whole, and only then cut to `limit` characters, so a cut cannot leave part of a secret behind.
    func describe(_ text: String, answering message: OutboundMessage, limit: Int = 200) -> String {
        var cleaned = redactor.redact(text)
        for echo in OutgoingText.forms(of: message.text) where cleaned.contains(echo) {
            cleaned = cleaned.replacing(echo, with: OutgoingText.placeholder)
        }
        return cleaned.count > limit ? cleaned.prefix(limit) + "…" : cleaned
    }

    /// The response body as a JSON object, if it is one.
    static func object(_ body: Data) -> JSONObject? {
        if case .object(let object)? = try? JSONParser.parse(body) { object } else { nil }
    }
}
