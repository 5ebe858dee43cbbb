import Enqueuer
import Foundation
import HTTPClient
import JSON
import Queue
import Workers

/// A `switchboard fake-provider` process on loopback: the benchmark's provider, and each test's.
package final class FakeProviderProcess: Sendable {
    private let child: SwitchboardChild
    package let port: Int
    package var baseURL: String { "http://127.0.0.1:\(port)" }
    /// For the calls that script, reset and read the server.
    private let control = HTTPClient(maxInFlight: 2)

    /// Starts it from `executable` (this one unless given) and waits until it listens.
    package init(executable: String? = nil) async throws {
        child = try SwitchboardChild(executable: executable, arguments: ["fake-provider"])
        let line = try await child.expectLine("its port")
        guard case .object(let object) = try JSONParser.parse(Data(line.utf8)),
            case .integer(let port)? = object["port"]
        else {
            throw HarnessFailure("the fake provider did not say its port (it printed \(line.prefix(200)))")
        }
        self.port = Int(port)
    }

    package func stop() {
        child.signal(SIGKILL)
    }

    /// Scripts faults, given as a JSON array of rules: each answers `times` requests whose path contains
    /// `path`, instead of the provider's normal answer.
    package func script(_ rules: String) async throws {
        _ = try await control.send(HTTPRequest(.post, baseURL + "/_fake/script", body: Data(rules.utf8)))
    }

    /// Queues updates for the long polls: `{"telegram": [update, ...], "wechat": [message, ...]}`.
    package func queueUpdates(_ updates: String) async throws {
        _ = try await control.send(HTTPRequest(.post, baseURL + "/_fake/updates", body: Data(updates.utf8)))
    }

    /// Queues events for the socket modes: `{"slack": [payload, ...], "discord": [message, ...]}`.
    package func queueSocketEvents(_ events: String) async throws {
        _ = try await control.send(HTTPRequest(.post, baseURL + "/_fake/socket/events", body: Data(events.utf8)))
    }

    /// Acts on a provider's socket: `{"provider": P, "close": CODE}`, `"send": frame`, and Discord's settings.
    package func socketControl(_ control: String) async throws {
        _ = try await self.control.send(
            HTTPRequest(.post, baseURL + "/_fake/socket/control", body: Data(control.utf8)))
    }

    /// What the sockets saw: per provider, connections, acknowledgements, identifies, resumes, heartbeats.
    package func socketState() async throws -> JSONObject {
        let answer = try await control.send(HTTPRequest(.get, baseURL + "/_fake/socket/state"))
        return try JSONParser.parse(answer.body).objectValue ?? JSONObject()
    }

    /// Forgets every request received so far.
    package func reset() async throws {
        _ = try await control.send(HTTPRequest(.post, baseURL + "/_fake/reset"))
    }

    /// Every request received so far, oldest first, as the server's JSON array; a run's record is
    /// many megabytes.
    package func recordedRequests() async throws -> Data {
        var request = HTTPRequest(.get, baseURL + "/_fake/requests")
        request.maxResponseBytes = 1 << 30
        request.totalTimeout = .seconds(120)
        return try await control.send(request).body
    }

    /// A worker configuration that sends every provider here.
    package var configuration: String {
        var providers = JSONObject()
        for provider in Provider.allCases {
            var settings = JSONObject(["base_url": .string(baseURL)])
            for name in provider.api.credentials {
                settings.set(name, .string(name == "agent_id" ? "1" : "bench-token"))
            }
            providers.set(provider.rawValue, .object(settings))
        }
        let configuration = JSONObject([
            "agent": .string("echo"),
            "links": .object(JSONObject(["mode": .string("open"), "default_owner": .string("acct_bench")])),
            "pacing": .bool(false), "providers": .object(providers),
        ])
        return String(decoding: JSONValue.object(configuration).serialized, as: UTF8.self)
    }

    /// Telegram sends per second that this server answers, from `concurrency` clients at once.
    package func capacity(http: HTTPClient, requests: Int, concurrency: Int) async throws -> Double {
        let body = Data(#"{"chat_id": 1, "text": "capacity probe"}"#.utf8)
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    for _ in stride(from: worker, to: requests, by: concurrency) {
                        _ = try await http.send(
                            .json(self.baseURL + ProviderRoute.telegramSend.path("bench-token"), body))
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(requests) / (ContinuousClock.now - started).seconds
    }

    /// Every message the replies received so far answer, with the time its reply arrived (wall-clock
    /// nanoseconds): a reply answers one message per line.
    package func answeredMessages() async throws -> [(text: String, at: Int64)] {
        guard case .array(let records) = try JSONParser.parse(try await recordedRequests()) else { return [] }
        return records.flatMap { request -> [(text: String, at: Int64)] in
            guard case .object(let record) = request, case .integer(let at)? = record["at_ns"],
                case .string(let text)? = record["text"]
            else { return [] }
            return text.split(separator: "\n").map { (String($0), at) }
        }
    }
}
