import Queue

/// One provider's webhook authenticity check, with the secrets it is configured with.
package protocol WebhookCheck: Sendable {
    /// The settings (`providers.P.NAME`) only this check reads: the secrets the provider's console gives
    /// for webhooks. A check may read the credentials the provider sends with too (DingTalk signs with its
    /// `app_secret`, WeCom names its `corp_id`); those are the API side's.
    var secretNames: [String] { get }
    /// Whether the provider verifies its webhook URL with a `GET` that the check answers (WeCom), so
    /// `serve` takes `GET` on the route as well as `POST`.
    var answersGET: Bool { get }
    /// Checks a request that arrived at `now`; `notConfigured` when a secret it needs is not configured.
    func check(_ request: WebhookRequest, secrets: WebhookSecrets, now: Timestamp) -> WebhookVerdict
    /// What is wrong with `value` as the secret `name`, where the provider has a rule for its shape; nil
    /// when it has none or the value keeps to it. The answer follows the setting's name in a message and
    /// never repeats the value.
    func secretProblem(_ name: String, _ value: String) -> String?
}

extension WebhookCheck {
    package var answersGET: Bool { false }

    package func secretProblem(_ name: String, _ value: String) -> String? { nil }
}

/// A provider's configured settings by name, as a webhook check reads them.
package struct WebhookSecrets: Sendable {
    private let settings: [String: String]

    package init(_ settings: [String: String]) {
        self.settings = settings
    }

    /// The setting `name`; nil when it is not configured or empty.
    package subscript(_ name: String) -> String? {
        settings[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}
