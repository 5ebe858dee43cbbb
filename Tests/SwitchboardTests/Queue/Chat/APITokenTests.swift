import ChatStore
import Foundation
import Queue
import Testing

@Suite("API tokens")
struct APITokenTests {
    @Test(
        "a token is stored as its digest, found while in force, and named once among those in force",
        arguments: TestBackend.conformance)
    func lifecycle(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let chat = try ChatStore(t.store)
        let created = try await chat.createAPIToken(name: "bot", scopes: [.links, .jobs, .links])
        #expect(created.secret.hasPrefix("sbk_") && SecretToken.isWellFormed(created.secret))
        #expect(created.token.scopes == [.links, .jobs])
        #expect(try !BehindTheStore.contains(created.secret, table: "api_tokens", on: t.location))
        #expect(try await chat.apiToken(secret: created.secret)?.name == "bot")
        #expect(try await chat.apiToken(secret: "sbk_" + String(created.secret.dropFirst(5))) == nil)
        await #expect(throws: APITokenError.nameTaken("bot")) {
            try await chat.createAPIToken(name: "bot", scopes: [.jobs])
        }
        t.clock.advance(by: .seconds(5))
        let revoked = try await chat.revokeAPIToken(name: "bot")
        #expect(revoked.revokedAt == t.clock.now())
        #expect(try await chat.apiToken(secret: created.secret) == nil)
        await #expect(throws: APITokenError.notFound("bot")) { try await chat.revokeAPIToken(name: "bot") }
        let again = try await chat.createAPIToken(name: "bot", scopes: [.admin])
        #expect(try await chat.apiToken(secret: again.secret)?.grants(.jobs) == true)
        #expect(try await chat.apiTokens().map(\.name) == ["bot", "bot"])
        await #expect(throws: QueueError.self) { try await chat.createAPIToken(name: "bad name", scopes: [.jobs]) }
        await #expect(throws: QueueError.self) { try await chat.createAPIToken(name: "none", scopes: []) }
    }
}
