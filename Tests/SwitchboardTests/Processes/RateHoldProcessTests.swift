import Enqueuer
import Foundation
import Harness
import JSON
import Queue
import Testing
import Workers

/// A 429's hold across worker processes: once it is committed, no send to the held bucket starts until
/// the wait is over, whichever process sends it.
@Suite("Rate holds across worker processes", .serialized, .timeLimit(.minutes(3)))
struct RateHoldProcessTests {
    /// The Discord channel whose sends are told to slow down, in the per-channel case.
    static let heldChannel = "1210987654321098765"

    /// Logs every write of a rate hold with the wall-clock time it was made (milliseconds), through a
    /// trigger of the test's own: when a 429's hold reached the database is what the guarantee counts from.
    private func logHolds(_ location: StoreLocation) throws {
        switch location {
        case .sqlite:
            let now = "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"
            try BehindTheStore.run(
                """
                CREATE TABLE hold_log (bucket TEXT, until INTEGER, at INTEGER);
                CREATE TRIGGER hold_log_insert AFTER INSERT ON rate_holds
                BEGIN INSERT INTO hold_log VALUES (NEW.bucket, NEW.until, \(now)); END;
                CREATE TRIGGER hold_log_update AFTER UPDATE ON rate_holds
                BEGIN INSERT INTO hold_log VALUES (NEW.bucket, NEW.until, \(now)); END;
                """, on: location)
        case .postgres:
            try BehindTheStore.run(
                """
                CREATE TABLE hold_log (bucket text, until bigint, at bigint);
                CREATE FUNCTION log_hold() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                    INSERT INTO hold_log VALUES (NEW.bucket, NEW.until, (extract(epoch FROM clock_timestamp()) * 1000)::bigint);
                    RETURN NEW;
                END $$;
                CREATE TRIGGER log_hold AFTER INSERT OR UPDATE ON rate_holds FOR EACH ROW EXECUTE FUNCTION log_hold();
                """, on: location)
        }
    }

    /// When the first 429 hold on `bucket` (a second long) was written, and when it ends, in milliseconds.
    private func firstHold(on bucket: String, _ location: StoreLocation) throws -> (at: Int64, until: Int64)? {
        let query = { (column: String) in
            "SELECT \(column) FROM hold_log WHERE bucket = '\(bucket)' AND until - at >= 900 ORDER BY at LIMIT 1"
        }
        switch location {
        case .sqlite(let path):
            guard try RawSQLite.integer("SELECT count(*) FROM (\(query("at")))", at: path) == 1 else { return nil }
            return (try RawSQLite.integer(query("at"), at: path), try RawSQLite.integer(query("until"), at: path))
        case .postgres(let url):
            return try BehindTheStore.connect(url).execute(query("at, until")).first { ($0.int64(0), $0.int64(1)) }
        }
    }

    /// Enqueues one Discord delivery to each channel, outside any group, so they run at once.
    private func deliver(to channels: [String], into store: JobStore) async throws {
        let guild = String(decoding: try Fixture(.discord, "guild_message").data, as: UTF8.self)
        var jobs: [NewJob] = []
        for (index, channel) in channels.enumerated() {
            let body = guild.replacing(Self.heldChannel, with: channel)
            let message = OutboundMessage(
                provider: .discord, target: try Fixture(.discord, body: Data(body.utf8)).event().replyTarget,
                text: "reply \(index)", part: 1, parts: 1, turnID: Int64(index + 1))
            jobs.append(NewJob(queue: "chat", kind: ChatJob.deliver, payload: message.payload))
        }
        _ = try await store.enqueue(jobs)
    }

    @Test(
        "two workers: after a 429 (Discord's global, or one channel's), no send to the held bucket starts before its retry_after",
        arguments: TestBackend.all, [true, false])
    func holdAcrossProcesses(backend: TestBackend, global: Bool) async throws {
        let fake = try await FakeProvider()
        defer { fake.stop() }
        let test = try await TestStore(backend) { $0.clock = SystemClock() }
        try logHolds(test.location)
        let database = test.location.connectionText
        guard case .object(var configuration) = try JSONParser.parse(Data(fake.configuration.utf8)) else {
            throw HarnessFailure("the fake provider's configuration is not an object")
        }
        configuration.set("pacing", .bool(true))
        let config = test.directory.path("config.json")
        try JSONValue.object(configuration).serialized.write(to: URL(fileURLWithPath: config))
        // Many channels keep each worker's bot-wide queue long; in the per-channel case, one channel gets
        // twelve sends among them, a slot every 250 ms at most, and its third is told to slow down.
        let others = (0..<160).map { "13109876543210\(10_000 + $0)" }
        let held = global ? [] : Array(repeating: Self.heldChannel, count: 12)
        let channels = others.enumerated().flatMap { index, channel in
            index % 13 == 0 && index / 13 < held.count ? [held[index / 13], channel] : [channel]
        }
        try await deliver(to: channels, into: test.store)
        let path = global ? "/messages" : "/channels/\(Self.heldChannel)/messages"
        try await fake.script(
            #"""
            [{"path": "\#(path)", "skip": \#(global ? 40 : 2), "times": 1, "status": 429,
              "body": {"message": "You are being rate limited.", "retry_after": 1, "global": \#(global)}}]
            """#)
        let workers = try (0..<2).map { _ in
            try SwitchboardProcess.start(["work", "--config", config, "--concurrency", "32"], database: database)
        }
        try await waitUntil("every reply is delivered", timeout: .seconds(90)) {
            if let died = workers.first(where: { $0.exitStatus != nil }) {
                throw HarnessFailure("a worker ended early: \(await died.finish().stderr)")
            }
            return try await test.store.stats().totals.values.reduce(0, +) == 0
        }
        for worker in workers {
            worker.signal(SIGTERM)
            let finished = await worker.finish()
            #expect(finished.status == 0, "\(finished.stderr)")
        }
        let sends = try await fake.requests().compactMap { request -> (at: Int64, scripted: Bool)? in
            guard let sent = request["path"] as? String, sent.contains(path), request["method"] as? String == "POST",
                let at = (request["at_ns"] as? NSNumber)?.int64Value
            else { return nil }
            return (at, request["scripted"] as? Bool ?? false)
        }
        let refused = try #require(sends.first { $0.scripted }, "the fake provider answered 429")
        #expect(sends.count { !$0.scripted } == held.count + (global ? others.count : 0))
        let bucket = global ? "discord:global" : "discord:channel:\(Self.heldChannel)"
        let hold = try #require(try firstHold(on: bucket, test.location), "the 429's hold was written")
        #expect(hold.until >= refused.at / 1_000_000 + 1_000, "the hold lasts retry_after from the 429")
        // A send whose slot was taken before the hold was committed was already on its way: it leaves at
        // once and arrives within milliseconds of the commit (250 ms leaves room for a loaded machine).
        // None may start later, before the hold ends.
        let early = sends.filter {
            !$0.scripted && $0.at / 1_000_000 > hold.at + 250 && $0.at / 1_000_000 < hold.until
        }
        #expect(
            early.isEmpty,
            "\(early.map { $0.at / 1_000_000 - hold.at }) ms after the hold was written, \(hold.at - refused.at / 1_000_000) ms after the 429"
        )
    }
}
