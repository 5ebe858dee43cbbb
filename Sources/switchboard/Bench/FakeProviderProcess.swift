import CSQLite
import Enqueuer
import Foundation
import JSON
import Queue
import Workers

/// A `switchboard fake-provider` child of the benchmark.
final class FakeProviderProcess: Sendable {
    private let child: SwitchboardChild
    let baseURL: String

    init() async throws {
        child = try SwitchboardChild(arguments: ["fake-provider"])
        let line = try await child.expectLine("its port")
        guard case .object(let object) = try JSONParser.parse(Data(line.utf8)), case .integer(let port)? = object["port"] else {
            throw CommandFailure(exitCode: .software, message: "the fake provider did not say its port")
        }
        baseURL = "http://127.0.0.1:\(port)"
    }

    func stop() {
        child.terminate()
    }

    /// A worker configuration that sends every provider here.
    var configuration: String {
        var providers = JSONObject()
        for provider in Provider.allCases {
            var settings = JSONObject(["base_url": .string(baseURL)])
            for name in ProviderSettings.requiredCredentials(provider) {
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
    func capacity(http: HTTPClient, requests: Int, concurrency: Int) async throws -> Double {
        let body = Data(#"{"chat_id": 1, "text": "capacity probe"}"#.utf8)
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    for _ in stride(from: worker, to: requests, by: concurrency) {
                        _ = try await http.send(.json("\(self.baseURL)/botbench-token/sendMessage", body))
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(requests) / (ContinuousClock.now - started).seconds
    }

    func reset(http: HTTPClient) async throws {
        _ = try await http.send(HTTPRequest(.post, baseURL + "/_fake/reset"))
    }

    /// Everything the server recorded; a run's record is many megabytes.
    func requests(http: HTTPClient) async throws -> [JSONValue] {
        var request = HTTPRequest(.get, baseURL + "/_fake/requests")
        request.maxResponseBytes = 1 << 30
        request.totalTimeout = .seconds(120)
        guard case .array(let records) = try JSONParser.parse(try await http.send(request).body) else {
            return []
        }
        return records
    }

    /// Every message the replies received so far answer, with the time its reply arrived (wall-clock
    /// nanoseconds): a reply answers one message per line.
    func answeredMessages(http: HTTPClient) async throws -> [(text: String, at: Int64)] {
        try await requests(http: http).flatMap { request -> [(text: String, at: Int64)] in
            guard case .object(let record) = request, case .integer(let at)? = record["at_ns"],
                case .string(let text)? = record["text"]
            else { return [] }
            return text.split(separator: "\n").map { (String($0), at) }
        }
    }
}
