import Enqueuer
import Foundation
import HTTPServer
import switchboard

extension FuzzTarget {
    /// Every request `serve` answers, through its routes over a real database: webhooks (signed or not),
    /// intake, health and metrics, and the dashboard's pages and forms, signed in or not.
    static let router = FuzzTarget(
        name: "router",
        summary: "a request to serve: any method, path, query, headers and body"
    ) { data throws(FuzzFailure) in
        var request = FuzzRequest(data)
        let world = FuzzWorld.shared
        let segments = request.path.split(separator: "/").map(String.init)
        let provider = segments.count == 2 ? Provider(rawValue: segments[1]) : nil
        if segments.first == "webhooks", let provider {
            FuzzSecrets.prepare(&request, for: provider)
        }
        if segments.first == "intake" {
            FuzzSecrets.prepareIntake(&request)
        }
        if request.wants("session") {
            request.headers["cookie"] = world.session.cookie
            request.body += Data("&csrf=\(world.session.csrf)".utf8)
        }
        let serverRequest = ServerRequest(
            method: request.method, path: request.path, query: request.query, headers: request.headers,
            body: request.body)
        let response: ServerResponse
        do {
            response = try blocking { await world.routes.answer(serverRequest) }
        } catch {
            throw FuzzFailure("the router's answer could not be awaited: \(error)")
        }
        try FuzzFailure.check((100...599).contains(response.status), "answered with status \(response.status)")
        if segments.first == "webhooks" || segments.first == "intake", !request.wants("sign") {
            try FuzzFailure.check(
                !(200..<300).contains(response.status),
                "a delivery nobody signed was answered \(response.status)")
        }
        // Actions are POSTs; a GET of any dashboard path without a session is sent to sign in (303).
        if request.method == "POST", request.path.hasPrefix("/dashboard/actions/"), !request.wants("session") {
            try FuzzFailure.check(response.status != 303, "an action without a session was carried out")
        }
    }

    /// The dashboard's form reader, fed a posted `application/x-www-form-urlencoded` body: it refuses
    /// what it cannot read, and what it reads, it reads whole.
    static let form = FuzzTarget(
        name: "form",
        summary: "a form body posted to the dashboard"
    ) { data in
        _ = try? URLEncodedForm(data)
    }
}
