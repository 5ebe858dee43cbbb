import Enqueuer
import Foundation
import Queue

/// A provider's API address and credentials, from the configuration file or the environment.
public struct ProviderSettings: Sendable {
    public var baseURL: String
    public var credentials: [String: String]

    public init(baseURL: String, credentials: [String: String] = [:]) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.credentials = credentials
    }

    /// The URL of one of the provider's API routes, with the route's variable segments and a query.
    public func url(_ route: ProviderRoute, _ segments: String..., query: String? = nil) -> String {
        baseURL + route.path(segments) + (query.map { "?" + $0 } ?? "")
    }

    /// The settings of `provider` besides `base_url`: the credentials its API sends with, its socket
    /// mode's, then the secrets its webhooks are checked with.
    static func secretNames(of provider: Provider) -> [String] {
        provider.api.credentials + (provider.api.socketMode.part?.settingNames ?? [])
            + (provider.inbound.webhook.part?.secretNames ?? [])
    }

    /// A credential or webhook secret, empty when it is not configured.
    public func credential(_ name: String) -> String {
        credentials[name] ?? ""
    }
}
