import ChatStore
import Foundation
import Harness
import Queue
import Testing

/// What `serve` says and does when its database cannot take events: a really full filesystem, a
/// PostgreSQL server that is stopped, a writer holding the lock. Ready means an event could be recorded
/// now, and a webhook that cannot be recorded in time is answered 503 before its provider gives up.
@Suite("serve's readiness and write timeout", .serialized, .timeLimit(.minutes(4)))
struct ReadinessTests {
    @Test(
        "SQLite on a full filesystem: /readyz says not ready while webhooks get 503, and ready once there is room",
        .enabled(if: ScratchFilesystem.canMount, "mounting a tmpfs to fill needs root (CAP_SYS_ADMIN)"))
    func fullDiskSQLite() async throws {
        let scratch = try ScratchFilesystem(megabytes: 8)
        let directory = try TestDirectory()
        let server = try await TestServer(
            ["--config", try ServeTests.configuration(in: directory)], database: scratch.path + "/queue.db")
        defer { server.child.signal(SIGKILL) }
        try await Self.expectRecording(server, first: 1)

        try scratch.fill()
        var refused = 0
        for id in 10..<60 where refused == 0 {
            if try await Self.postTelegram(server, id).status == 503 {
                refused += 1
            }
        }
        #expect(refused == 1, "a webhook is refused once the disk is full")
        let full = try await server.send(.get, "/readyz")
        #expect(full.status == 503, "not ready on a full disk: \(full)")

        scratch.free()
        #expect(try await server.send(.get, "/readyz").status == 200)
        try await Self.expectRecording(server, first: 100)
    }

    @Test(
        "PostgreSQL on a full filesystem: /readyz says not ready, and ready once there is room",
        .enabled(if: TestPostgres.enabled, "PostgreSQL's programs are not installed"),
        .enabled(if: ScratchFilesystem.canMount, "mounting a tmpfs to fill needs root (CAP_SYS_ADMIN)"))
    func fullDiskPostgres() async throws {
        let scratch = try ScratchFilesystem(megabytes: 96)
        let postgres = try await TestPostgres.OwnServer(on: scratch)
        let location = try await postgres.server.newDatabase()
        let directory = try TestDirectory()
        let server = try await TestServer(
            ["--config", try ServeTests.configuration(in: directory)], database: location.connectionText)
        defer { server.child.signal(SIGKILL) }
        try await Self.expectRecording(server, first: 1)

        try scratch.fill()
        let full = try await server.send(.get, "/readyz")
        #expect(full.status == 503, "not ready on a full disk: \(full)")

        scratch.free()
        try await waitUntil("ready again once there is room") {
            try await server.send(.get, "/readyz").status == 200
        }
        try await Self.expectRecording(server, first: 100)
    }

    /// Holds what an intake write needs, as a writer in another process would: SQLite's write turnstile,
    /// or on PostgreSQL an EXCLUSIVE lock on the jobs table. Returns what releases it.
    static func holdJobWrites(on location: StoreLocation) throws -> () -> Void {
        switch location {
        case .sqlite:
            let held = try BehindTheStore.holdChatWrites(on: location)
            return { held.release() }
        case .postgres(let url):
            let holder = try BehindTheStore.connect(url)
            try holder.executeScript("BEGIN; LOCK TABLE jobs IN EXCLUSIVE MODE")
            return { _ = try? holder.execute("ROLLBACK") }
        }
    }

    static func postTelegram(_ server: TestServer, _ id: Int) async throws -> (status: Int, body: String) {
        try await server.post(
            "/webhooks/telegram", ServeTests.telegramUpdate(id, chat: id),
            headers: [("X-Telegram-Bot-Api-Secret-Token", ServeTests.telegramSecret)])
    }

    /// Ready, and two new events are recorded.
    static func expectRecording(_ server: TestServer, first id: Int) async throws {
        let ready = try await server.send(.get, "/readyz")
        #expect(ready.status == 200, "\(ready)")
        for offset in 0..<2 {
            let answer = try await postTelegram(server, id + offset)
            #expect(answer.status == 200 && TestServer.intakeStatus(answer.body) == "enqueued", "\(answer)")
        }
    }
}

/// How fast `/readyz` and a webhook answer once PostgreSQL is down, in milliseconds: measured with the
/// machine quiet, after the other suites.
@Suite("serve's readiness with PostgreSQL down, timed (measured alone)", .serialized, .timeLimit(.minutes(3)))
struct ReadinessMeasuredAlone {
    @Test(
        "PostgreSQL stopped: /readyz answers within 1 s, a webhook gets 503 within 3 s; both recover when it is back",
        .enabled(if: TestPostgres.enabled, "PostgreSQL's programs are not installed"))
    func postgresDown() async throws {
        let postgres = try await TestPostgres.OwnServer()
        let location = try await postgres.server.newDatabase()
        let directory = try TestDirectory()
        let server = try await TestServer(
            ["--config", try ServeTests.configuration(in: directory)], database: location.connectionText)
        defer { server.child.signal(SIGKILL) }
        try await ReadinessTests.expectRecording(server, first: 1)

        try await postgres.server.stop()
        for round in 0..<2 {
            let started = ContinuousClock.now
            let ready = try await server.send(.get, "/readyz")
            let readyAfter = ContinuousClock.now - started
            #expect(ready.status == 503 && readyAfter < .seconds(1), "round \(round): \(readyAfter), \(ready)")
            let posted = ContinuousClock.now
            let webhook = try await ReadinessTests.postTelegram(server, 10 + round)
            let webhookAfter = ContinuousClock.now - posted
            #expect(webhook.status == 503 && webhookAfter < .seconds(3), "round \(round): \(webhookAfter), \(webhook)")
            let paged = ContinuousClock.now
            let dashboard = try await server.send(.get, "/dashboard")
            let dashboardAfter = ContinuousClock.now - paged
            #expect(dashboard.status == 503 && dashboardAfter < .seconds(3), "round \(round): \(dashboardAfter)")
        }

        try await postgres.server.start()
        try await waitUntil("ready again once PostgreSQL is back") {
            try await server.send(.get, "/readyz").status == 200
        }
        try await ReadinessTests.expectRecording(server, first: 100)
        let store = try await SwitchboardDatabase.open(location)
        #expect(try await store.stats().totals[.ready] == 4, "the two events before, the two after; none refused")
    }
}

/// The write timeout is a bound in seconds: measured alone (`ops/test.sh` runs `MeasuredAlone` suites one at
/// a time after the rest), where a loaded machine cannot stretch it.
@Suite("serve's write timeout, timed (measured alone)", .serialized, .timeLimit(.minutes(3)))
struct WriteTimeoutMeasuredAlone {
    @Test(
        "a webhook held up behind another writer gets 503 within the 2 s write timeout; its retry is recorded",
        arguments: TestBackend.all)
    func writeTimeout(backend: TestBackend) async throws {
        let directory = try TestDirectory()
        let location = try await backend.newDatabase(in: directory)
        let server = try await TestServer(
            ["--config", try ServeTests.configuration(in: directory)], database: location.connectionText)
        defer { server.child.signal(SIGKILL) }
        try await ReadinessTests.expectRecording(server, first: 1)

        let release = try ReadinessTests.holdJobWrites(on: location)
        let posted = ContinuousClock.now
        let held = try await ReadinessTests.postTelegram(server, 10)
        let heldFor = ContinuousClock.now - posted
        #expect(held.status == 503 && heldFor < .seconds(3), "\(heldFor), \(held)")
        release()
        let retried = try await ReadinessTests.postTelegram(server, 10)
        #expect(retried.status == 200 && TestServer.intakeStatus(retried.body) == "enqueued", "\(retried)")
        let store = try await SwitchboardDatabase.open(location)
        #expect(try await store.stats().totals[.ready] == 3)
    }
}
