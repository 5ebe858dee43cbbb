import Authentication
import Foundation
import Harness
import JSON
import Testing

/// The JWT verifier in process: hostile token shapes, and the key set URL's refetching, against keys and
/// tokens made by PyJWT (`APIScripts/mint.py`).
@Suite("Verifying users' tokens", .timeLimit(.minutes(2)))
struct TokenVerifierTests {
    static let secret = Data("a-shared-secret-of-the-web-app-0123456789".utf8)

    static func verifier(_ keys: JWTKeys? = nil) throws -> TokenVerifier {
        TokenVerifier(keys: try keys ?? JWTKeys(configured: [.secret(secret)]), rules: TokenRules())
    }

    static func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    @Test(
        "malformed tokens are refused before any key is tried",
        arguments: [
            ("", "three"), ("a.b", "three"), ("a.b.c.d", "three"), ("!!.e30.", "base64url"),
            (base64URL(#"{"alg":"HS256","alg":"none"}"#) + ".e30.", "repeats"),
            (base64URL(#"{"alg":"HS256","crit":["x"]}"#) + ".e30.", "critical"),
            (base64URL(#"{"alg":"HS256","kid":7}"#) + ".e30.", "kid"),
            (base64URL(#"{"alg":"PS256"}"#) + ".e30.", "PS256"),
            (base64URL(#"{"alg":"none"}"#) + ".e30.", "none"),
            (base64URL(#"["alg"]"#) + ".e30.", "object"),
            (base64URL(#"{"alg":"HS256"}"#) + "." + base64URL("[1]") + ".", "payload"),
            (String(repeating: "a", count: 20_000), "longer"),
        ])
    func malformed(token: String, reason: String) async throws {
        await #expect {
            _ = try await Self.verifier().account(of: token)
        } throws: { error in
            (error as? TokenRefusal)?.description.contains(reason) == true
        }
    }

    @Test("an unknown kid fetches the key set again, once the interval since the last fetch has passed")
    func refetchOnUnknownKid() async throws {
        let directory = try TestDirectory()
        try await APITests.run(["keys", directory.url.path])
        let served = directory.path("served")
        try FileManager.default.createDirectory(atPath: served, withIntermediateDirectories: true)
        let document = try Data(contentsOf: URL(fileURLWithPath: directory.path("jwks.json")))
        try Data(String(decoding: document, as: UTF8.self).replacingOccurrences(of: "\"ec-1\"", with: "\"ec-0\"").utf8)
            .write(to: URL(fileURLWithPath: served + "/jwks.json"))
        let server = try SwitchboardChild(
            executable: "/usr/bin/python3", arguments: ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1"],
            directory: served, errorOutput: .capture)
        defer { server.signal(SIGKILL) }
        let port = try #require(
            try await server.expectLine("the key server's port").split(separator: " ").dropFirst(5).first)
        let interval = Duration.milliseconds(300)
        let keys = JWTKeys(configured: [], url: "http://127.0.0.1:\(port)/jwks.json", refetchInterval: interval)
        let verifier = try Self.verifier(keys)
        let spec: JSONObject = [
            "alg": "ES256", "key": directory.path("ec.pem"),
            "claims": ["sub": "erin", "exp": Int(Date().timeIntervalSince1970) + 600] as JSONObject,
            "headers": ["kid": "ec-1"] as JSONObject,
        ]
        let token = try await APITests.run(
            ["token"], stdin: String(decoding: JSONValue.object(spec).serialized, as: UTF8.self))
        // The first fetch happens between these two instants: the interval counts from it.
        let started = ContinuousClock.now
        await #expect(throws: TokenRefusal.self) { try await verifier.account(of: token) }
        let firstAnswered = ContinuousClock.now
        // The provider rotates its keys: ec-1 is published now.
        try document.write(to: URL(fileURLWithPath: served + "/jwks.json"))
        if ContinuousClock.now - started < interval {
            await #expect(throws: TokenRefusal.self, "no fetch within the interval") {
                try await verifier.account(of: token)
            }
        }
        // The behaviour under test is the passing of the interval itself.
        try await Task.sleep(until: firstAnswered + interval + .milliseconds(50))
        #expect(try await verifier.account(of: token) == "erin")
        // The key server logs each GET as it answers it; its log reaches this process through a pipe.
        let fetches = { server.errorOutputSoFar.components(separatedBy: "GET /jwks.json").count - 1 }
        try await waitUntil("the key server logged the second fetch", timeout: .seconds(10)) { fetches() >= 2 }
        #expect(fetches() == 2, "\(server.errorOutputSoFar)")
    }
}
