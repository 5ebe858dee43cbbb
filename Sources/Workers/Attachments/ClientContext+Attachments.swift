import Foundation
import HTTPClient
import JSON

extension ClientContext {
    /// The answer of a call a provider needs before a file can be fetched (Telegram's `getFile`,
    /// DingTalk's download URL) as a JSON object: 429 and 5xx, a transport failure or an answer that is
    /// not JSON may pass, and so may a 401 after the cached access token in `tokens` is dropped; another
    /// status is the provider refusing.
    func lookup(_ request: HTTPRequest, _ what: String, tokens: AccessTokenCache? = nil) async throws(AttachmentFailure)
        -> JSONObject
    {
        let response: HTTPResponse
        do {
            response = try await send(request)
        } catch {
            throw .transient("\(what): \(Self.reason(error.outcome))")
        }
        if response.status == 401, let tokens {
            await tokens.invalidate()
            throw .transient("\(what) refused the access token")
        }
        guard response.status != 429, response.status < 500 else {
            throw .transient("\(what) answered HTTP \(response.status)")
        }
        guard let object = Self.object(response.body) else {
            throw .transient("\(what) answered HTTP \(response.status) without JSON")
        }
        guard (200..<300).contains(response.status) else {
            let said = (object["description"] ?? object["message"] ?? object["errmsg"])?.stringValue
            throw .unreadable(
                "\(what) answered HTTP \(response.status)" + (said.map { ": " + redactor.redact($0) } ?? ""))
        }
        return object
    }

    /// An access token for a file's download, or a failure that may pass.
    func downloadToken(_ cache: AccessTokenCache, fetch: @escaping @Sendable () async throws -> (String, Duration))
        async throws(AttachmentFailure) -> String
    {
        do {
            return try await token(cache, fetch: fetch)
        } catch {
            throw .transient(Self.reason(error.outcome))
        }
    }

    private static func reason(_ outcome: SendOutcome) -> String {
        switch outcome {
        case .retry(let reason), .reject(let reason): reason
        case .slowDown: "asked to slow down"
        case .delivered: "no answer"
        }
    }
}
