import Authentication
import ChatStore
import Enqueuer
import HTTPServer
import Queue
import Workers

extension ServeRoutes {
    /// The routes `serve` answers with over an open store, from its configuration. `serve` builds them
    /// here, and so does the router's fuzz target (`FuzzTargets`), which feeds them hostile requests with no
    /// HTTP server in between: both run the same routes, so what the fuzzer finds is what `serve` does.
    /// - Parameters:
    ///   - writeTimeout: how long a webhook waits for the database before it is answered 503.
    ///   - log: where database failures are told, in full (the client is told only to retry).
    package init(
        configuration: ChatConfiguration, store: JobStore, intakeOptions: IntakeOptions,
        throughput: ThroughputHistory, writeTimeout: Duration, log: @escaping @Sendable (String) -> Void
    ) async throws {
        let origin = RequestOrigin(trustedProxies: Set(configuration.trustedProxies.compactMap(IPAddress.init)))
        let failures = FailedAttemptLimiter()
        let chat = try ChatStore(store)
        let users = try configuration.userTokens.map { try TokenVerifier.configured($0, log: log) }
        self.init(
            gate: WebhookGate(secrets: configuration.providers.mapValues(\.credentials)),
            intakeToken: configuration.intakeToken,
            origin: origin,
            failures: failures,
            batcher: IntakeBatcher(intake: Intake(store: store, options: intakeOptions)),
            store: store,
            metrics: ServeMetrics(),
            schemaVersion: try await store.schemaVersion(),
            log: log,
            dashboard: Dashboard(
                store: store, chat: chat,
                settings: Dashboard.Settings(
                    token: configuration.dashboardToken, publicRead: configuration.dashboardPublicRead,
                    secureCookie: configuration.dashboardSecureCookie),
                origin: origin, failures: failures, throughput: throughput),
            api: APIRoutes(
                chat: chat,
                authenticator: APIAuthenticator(
                    chat: chat, users: users, origin: origin, failures: failures, log: log),
                linkBaseURL: { if case .required(let base) = configuration.links { base } else { nil } }(),
                telegramBotUsername: configuration.telegramBotUsername, log: log),
            attachments: AttachmentFiles(configuration.attachments),
            writeTimeout: writeTimeout
        )
    }
}
