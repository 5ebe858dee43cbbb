import ChatStore
import Foundation
import Queue
import Testing

@Suite("Connect codes, links and link tokens")
struct LinkingTests {
    private let slackAda = ChannelIdentity(provider: "slack", workspace: "T1", user: "U_ADA")

    @Test("codes are URL-safe, 16 random bytes, and only their digest is stored", arguments: TestBackend.conformance)
    func codeShape(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let code = try await ChatStore(t.store).requestConnectCode(owner: "acct_1", provider: "slack")
        #expect(code.code.count == 22)
        #expect(SecretToken.isWellFormed(code.code))
        #expect(code.expiresAt == t.clock.now() + .seconds(600))
        #expect(
            try !BehindTheStore.contains(code.code, table: "connect_codes", on: t.location),
            "the code is not in the database")
    }

    @Test(
        "eight concurrent code requests on separate connections give exactly five codes",
        arguments: TestBackend.conformance)
    func codeCapUnderConcurrency(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let stores = try await withThrowingTaskGroup(of: JobStore.self) { group in
            for _ in 0..<8 { group.addTask { try await t.reopen() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let outcomes = await withTaskGroup(of: Result<ConnectCode, any Error>.self) { group in
            for store in stores {
                group.addTask {
                    await outcome { try await ChatStore(store).requestConnectCode(owner: "acct_1", provider: "slack") }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let issued = outcomes.compactMap { try? $0.get() }
        #expect(issued.count == 5)
        for case .failure(let error) in outcomes {
            #expect((error as? LinkError)?.code == .tooManyPending)
        }
        let other = try await ChatStore(t.store).requestConnectCode(owner: "acct_1", provider: "discord")
        #expect(!other.code.isEmpty, "the cap is per owner and provider")
    }

    @Test("expired codes stop counting toward the cap", arguments: TestBackend.conformance)
    func expiredCodesFreeTheCap(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let links = try ChatStore(t.store)
        for _ in 0..<5 { _ = try await links.requestConnectCode(owner: "acct_1", provider: "slack") }
        await #expect(
            throws: LinkError(
                .tooManyPending, "too many pending codes: wait for one to expire or use one of the 5 already issued")
        ) {
            try await links.requestConnectCode(owner: "acct_1", provider: "slack")
        }
        t.clock.advance(by: .seconds(600))
        _ = try await links.requestConnectCode(owner: "acct_1", provider: "slack")
    }

    @Test(
        "a code binds the identity to its owner once; two racing consumes give one bind",
        arguments: TestBackend.conformance)
    func racingConsumes(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let code = try await ChatStore(t.store).requestConnectCode(owner: "acct_1", provider: "slack")
        let digest = try SecretToken.digest(code.code)
        let identities = [slackAda, ChannelIdentity(provider: "slack", workspace: "T1", user: "U_BOB")]
        let stores = [try await t.reopen(), try await t.reopen()]
        let outcomes = await withTaskGroup(of: Result<String, any Error>.self) { group in
            for (store, identity) in zip(stores, identities) {
                group.addTask {
                    await outcome { try await ChatStore(store).consumeConnectCode(digest: digest, identity: identity) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { (try? $0.get()) == "acct_1" }.count == 1)
        #expect(outcomes.failures(as: LinkError.self).map(\.code) == [.expiredOrUsed])
        let links = try ChatStore(t.store)
        let bound = [try await links.connectedOwner(identities[0]), try await links.connectedOwner(identities[1])]
        #expect(bound.compactMap { $0 } == ["acct_1"])
    }

    @Test("a code is refused at its expiry, and for another provider", arguments: TestBackend.conformance)
    func codeExpiry(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let links = try ChatStore(t.store)
        let code = try await links.requestConnectCode(owner: "acct_1", provider: "slack")
        let digest = try SecretToken.digest(code.code)
        let discordAda = ChannelIdentity(provider: "discord", workspace: "G1", user: "ada")
        await #expect(throws: LinkError.self) {
            try await links.consumeConnectCode(digest: digest, identity: discordAda)
        }
        t.clock.advance(by: .seconds(600))
        await #expect(throws: LinkError(.expiredOrUsed, "invalid or expired code")) {
            try await links.consumeConnectCode(digest: digest, identity: slackAda)
        }
        let fresh = try await links.requestConnectCode(owner: "acct_1", provider: "slack")
        t.clock.advance(by: .milliseconds(599_999))
        #expect(
            try await links.consumeConnectCode(digest: SecretToken.digest(fresh.code), identity: slackAda) == "acct_1")
    }

    @Test("a new bind of an identity revokes the old owner's", arguments: TestBackend.conformance)
    func oneActiveOwner(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let links = try ChatStore(t.store)
        for owner in ["acct_1", "acct_2"] {
            let code = try await links.requestConnectCode(owner: owner, provider: "slack")
            _ = try await links.consumeConnectCode(digest: SecretToken.digest(code.code), identity: slackAda)
        }
        #expect(try await links.connectedOwner(slackAda) == "acct_2")
    }

    @Test("an identity without a workspace is refused before the code is looked up", arguments: TestBackend.conformance)
    func identityRequired(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let links = try ChatStore(t.store)
        let code = try await links.requestConnectCode(owner: "acct_1", provider: "discord")
        let digest = try SecretToken.digest(code.code)
        await #expect(throws: QueueError.self) {
            try await links.consumeConnectCode(
                digest: digest, identity: ChannelIdentity(provider: "discord", workspace: "", user: "u"))
        }
        #expect(
            try await links.consumeConnectCode(
                digest: digest, identity: ChannelIdentity(provider: "discord", workspace: "G", user: "u")) == "acct_1",
            "the refused message did not burn the code")
    }

    @Test(
        "link tokens: pending, then linked on confirm; a second confirm gets expired-or-used",
        arguments: TestBackend.conformance)
    func tokenLifecycle(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let links = try ChatStore(t.store)
        let token = try await links.createLinkToken(type: .server, platform: "discord", subject: "G1")
        #expect(token.token.count == 43)
        #expect(try await links.linkTokenStatus(token.token) == .pending)
        let link = try await links.confirmLinkToken(token.token, account: "acct_1")
        #expect(link.account == "acct_1")
        #expect(try await links.linkTokenStatus(token.token) == .linked)
        await #expect(throws: LinkError.self) { try await links.confirmLinkToken(token.token, account: "acct_1") }
        await #expect(throws: LinkError.self, "a linked server refuses new tokens") {
            try await links.createLinkToken(type: .server, platform: "discord", subject: "G1")
        }
        #expect(try await links.link(type: .server, platform: "discord", subject: "G1") == link)
    }

    @Test(
        "two racing confirms of one token: exactly one link, the other expired-or-used",
        arguments: TestBackend.conformance)
    func racingConfirms(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let token = try await ChatStore(t.store).createLinkToken(type: .user, platform: "telegram", subject: "7744552")
        let stores = [try await t.reopen(), try await t.reopen()]
        let outcomes = await withTaskGroup(of: Result<PlatformLink, any Error>.self) { group in
            for (store, account) in zip(stores, ["acct_1", "acct_2"]) {
                group.addTask {
                    await outcome { try await ChatStore(store).confirmLinkToken(token.token, account: account) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.compactMap { try? $0.get() }.count == 1)
        #expect(outcomes.failures(as: LinkError.self).map(\.code) == [.expiredOrUsed])
    }

    @Test("a new token supersedes the pending one for the same server or user", arguments: TestBackend.conformance)
    func supersede(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let links = try ChatStore(t.store)
        let first = try await links.createLinkToken(type: .user, platform: "slack", subject: "U_ADA")
        let other = try await links.createLinkToken(type: .user, platform: "slack", subject: "U_BOB")
        let second = try await links.createLinkToken(type: .user, platform: "slack", subject: "U_ADA")
        #expect(try await links.linkTokenStatus(first.token) == .superseded)
        #expect(try await links.linkTokenStatus(other.token) == .pending, "other users' tokens are untouched")
        await #expect(throws: LinkError.self) { try await links.confirmLinkToken(first.token, account: "acct_1") }
        #expect(try await links.confirmLinkToken(second.token, account: "acct_1").subject == "U_ADA")
    }

    @Test("a token expires after 30 minutes, to the millisecond", arguments: TestBackend.conformance)
    func tokenExpiry(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let links = try ChatStore(t.store)
        let token = try await links.createLinkToken(type: .server, platform: "slack", subject: "T1")
        t.clock.advance(by: .seconds(1799) + .milliseconds(999))
        #expect(try await links.linkTokenStatus(token.token) == .pending)
        t.clock.advance(by: .milliseconds(1))
        #expect(try await links.linkTokenStatus(token.token) == .expired)
        let error = await #expect(throws: LinkError.self) {
            try await links.confirmLinkToken(token.token, account: "acct_1")
        }
        #expect(error?.httpStatus == 410)
    }

    @Test(
        "expiry is judged when the write lock is had, not when it was asked for", arguments: TestBackend.conformance,
        ["confirm", "consume"])
    func expiryJudgedInsideTransaction(backend: TestBackend, operation: String) async throws {
        let t = try await TestStore(backend)
        let links = try ChatStore(t.store)
        let token = try await links.createLinkToken(type: .server, platform: "slack", subject: "T1")
        let code = try await links.requestConnectCode(owner: "acct_1", provider: "slack")
        let held = try BehindTheStore.holdChatWrites(on: t.location)
        let attempt = Task {
            if operation == "confirm" {
                _ = try await links.confirmLinkToken(token.token, account: "acct_1")
            } else {
                _ = try await links.consumeConnectCode(digest: SecretToken.digest(code.code), identity: slackAda)
            }
        }
        // Both were valid when asked for; they expire while the request waits for the lock.
        try await waitUntil("the request waits for the write lock") { held.hasWaiter }
        t.clock.advance(by: ChatStore.linkTokenLifetime)
        held.release()
        let error = await #expect(throws: LinkError.self) { try await attempt.value }
        #expect(error?.httpStatus == 410)
    }

    @Test("a confirm whose link cannot be created leaves the token unused", arguments: TestBackend.conformance)
    func failedCreateKeepsToken(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let links = try ChatStore(t.store)
        let token = try await links.createLinkToken(type: .server, platform: "slack", subject: "T1")
        // Another writer links the server between the token's issue and its confirmation.
        try BehindTheStore.run(
            "INSERT INTO platform_links (type, platform, subject, account, created_at) VALUES ('server', 'slack', 'T1', 'acct_9', 0)",
            on: t.location
        )
        let error = await #expect(throws: LinkError.self) {
            try await links.confirmLinkToken(token.token, account: "acct_1")
        }
        #expect(error?.code == .alreadyLinked)
        #expect(try await links.linkTokenStatus(token.token) == .pending)
    }

    @Test(
        "the wrong flow, malformed tokens and unknown tokens are refused with their statuses",
        arguments: TestBackend.conformance, ["%24", "../../etc/passwd", String(repeating: "a", count: 65), "", "a b"])
    func tokenRefusals(backend: TestBackend, malformed: String) async throws {
        let t = try await TestStore(backend)
        let links = try ChatStore(t.store)
        let error = await #expect(throws: LinkError.self) {
            try await links.confirmLinkToken(malformed, account: "acct_1")
        }
        #expect(error?.httpStatus == 422)
        let unknown = await #expect(throws: LinkError.self) {
            try await links.linkTokenStatus(String(repeating: "a", count: 43))
        }
        #expect(unknown?.httpStatus == 404)
        let server = try await links.createLinkToken(type: .server, platform: "slack", subject: "T1")
        let wrong = await #expect(throws: LinkError.self) {
            try await links.confirmLinkToken(server.token, account: "acct_1", expecting: .user)
        }
        #expect(wrong?.httpStatus == 400)
        #expect(
            try await links.linkTokenStatus(server.token) == .pending, "a wrong-flow confirm does not burn the token")
    }

    @Test("only the owner may delete a link", arguments: TestBackend.conformance)
    func deleteOwnership(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let links = try ChatStore(t.store)
        let token = try await links.createLinkToken(type: .server, platform: "slack", subject: "T1")
        let link = try await links.confirmLinkToken(token.token, account: "acct_1")
        let notOwner = await #expect(throws: LinkError.self) {
            try await links.deleteLink(id: link.id, account: "acct_2")
        }
        #expect(notOwner?.httpStatus == 403)
        let missing = await #expect(throws: LinkError.self) { try await links.deleteLink(id: 999, account: "acct_1") }
        #expect(missing?.httpStatus == 404)
        try await links.deleteLink(id: link.id, account: "acct_1")
        #expect(try await links.links(account: "acct_1").isEmpty)
    }

    @Test(
        "owners resolve through the server link, then the user link, then the channel connection",
        arguments: TestBackend.conformance)
    func resolution(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let links = try ChatStore(t.store)
        func link(_ type: LinkType, _ subject: String, _ account: String) async throws {
            let token = try await links.createLinkToken(type: type, platform: "slack", subject: subject)
            _ = try await links.confirmLinkToken(token.token, account: account)
        }
        #expect(
            try await links.resolveOwner(provider: "slack", workspace: "T1", sender: "U_ADA", isDirect: false)
                == .unlinked)
        let code = try await links.requestConnectCode(owner: "acct_conn", provider: "slack")
        _ = try await links.consumeConnectCode(digest: SecretToken.digest(code.code), identity: slackAda)
        #expect(
            try await links.resolveOwner(provider: "slack", workspace: "T1", sender: "U_ADA", isDirect: false)
                == .channelConnection(account: "acct_conn"))
        try await link(.server, "T1", "acct_server")
        try await link(.user, "U_ADA", "acct_user")
        #expect(
            try await links.resolveOwner(provider: "slack", workspace: "T1", sender: "U_ADA", isDirect: false)
                == .serverLink(account: "acct_server"))
        #expect(
            try await links.resolveOwner(provider: "slack", workspace: "T1", sender: "U_ADA", isDirect: true)
                == .userLink(account: "acct_user"), "direct messages use the user link, not the server's")
        #expect(
            try await links.resolveOwner(provider: "slack", workspace: "T1", sender: "U_BOB", isDirect: true)
                == .unlinked, "no DM fallback to the server owner")
    }
}

@Suite("Secret tokens")
struct SecretTokenTests {
    @Test("URL-safe base64 matches Foundation's alphabet-swapped, unpadded encoding", arguments: 0..<40)
    func base64URL(length: Int) {
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
        let expected = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        #expect(SecretToken.base64URL(bytes) == expected)
    }

    @Test(
        "no code or token starts with '-', which a command line would read as an option",
        arguments: TestBackend.conformance)
    func noLeadingDash(backend: TestBackend) async throws {
        let t = try await TestStore(backend)
        let links = try ChatStore(t.store)
        for index in 0..<400 {
            let token = try await links.createLinkToken(type: .user, platform: "slack", subject: "U\(index)")
            #expect(!token.token.hasPrefix("-"))
        }
    }

    @Test("the SHA-256 digest matches the standard test vector")
    func digest() throws {
        #expect(SecretToken.base64URL(try SecretToken.digest("abc")) == "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0")
    }
}
