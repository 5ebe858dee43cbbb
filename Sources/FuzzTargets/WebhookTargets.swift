import Enqueuer
import Foundation

/// Each provider's webhook check, fed a whole request (`FuzzRequest`): method, query, headers and body.
/// What it finds authentic goes on through intake's normalising, as `serve` sends it.
enum WebhookTargets {
    static let gate = WebhookGate(secrets: FuzzSecrets.webhookSecrets)

    static let all: [FuzzTarget] = WebhookGate.providers.map { provider in
        FuzzTarget(
            name: "webhook-\(provider.rawValue)",
            summary: "a request to /webhooks/\(provider.rawValue): \(provider.displayName)'s authenticity check"
        ) { data throws(FuzzFailure) in
            var request = FuzzRequest(data)
            FuzzSecrets.prepare(&request, for: provider)
            let verdict = gate.check(provider, webhookRequest(request), now: FuzzSecrets.now)
            try checkUnsigned(request, verdict)
            if case .deliver(let body) = verdict {
                try IntakePath.take(Delivery(provider: provider, body: body))
            }
        }
    }

    static func webhookRequest(_ request: FuzzRequest) -> WebhookRequest {
        WebhookRequest(method: request.method, query: request.query, headers: request.headers, body: request.body)
    }

    /// A request the harness did not sign is never authentic: the fuzzer knows no secret.
    static func checkUnsigned(_ request: FuzzRequest, _ verdict: WebhookVerdict) throws(FuzzFailure) {
        guard !request.wants("sign") else { return }
        switch verdict {
        case .deliver, .answer: throw FuzzFailure("a request nobody signed was found authentic: \(verdict)")
        case .refuse, .notConfigured: return
        }
    }
}

extension FuzzTarget {
    /// `POST /intake/{provider}`'s bearer check; the provider is the request's path, as on the route.
    static let intakeBearer = FuzzTarget(
        name: "intake-bearer",
        summary: "a request to /intake/{provider}: the bearer check, then intake"
    ) { data throws(FuzzFailure) in
        var request = FuzzRequest(data)
        guard let provider = Provider(rawValue: request.path.split(separator: "/").last.map(String.init) ?? "")
        else { return }
        FuzzSecrets.prepareIntake(&request)
        let verdict = WebhookGate.checkBearer(
            WebhookTargets.webhookRequest(request), token: FuzzSecrets.intakeToken)
        try WebhookTargets.checkUnsigned(request, verdict)
        if case .deliver(let body) = verdict {
            try IntakePath.take(Delivery(provider: provider, body: body))
        }
    }
}
