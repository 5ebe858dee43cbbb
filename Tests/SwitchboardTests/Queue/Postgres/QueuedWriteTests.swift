import Foundation
import Testing

@testable import Queue

/// Writes whose results do not matter are queued on the connection and sent in one round trip with the
/// next statement: in order, before it, and a failure among them fails the transaction as a whole.
@Suite(
    "PostgreSQL writes sent with the next statement", .timeLimit(.minutes(2)),
    .enabled(if: TestPostgres.enabled, "PostgreSQL's programs are not installed"))
struct QueuedWriteTests {
    private func session() async throws -> PostgresSession {
        let location = try await TestPostgres.newDatabase()
        let session = PostgresSession(
            url: location.connectionText, settings: PostgresTransactionSettings(lockTimeout: .seconds(5)),
            reconnectTimeout: .seconds(5))
        try await session.write { _ = try $0.execute("CREATE TABLE notes (n int8 PRIMARY KEY)") }
        return session
    }

    private func notes(_ session: PostgresSession) async throws -> [Int64] {
        try await session.write { try $0.execute("SELECT n FROM notes ORDER BY n").rows { $0.int64(0) } }
    }

    @Test("queued writes reach the server in order, before the statement that follows them")
    func queuedBeforeNext() async throws {
        let session = try await session()
        let seen = try await session.write { connection in
            connection.executeLater("INSERT INTO notes VALUES ($1)", [.int8(1)])
            connection.executeLater("UPDATE notes SET n = n + 10")
            connection.executeLater("INSERT INTO notes VALUES ($1)", [.int8(2)])
            return try connection.execute("SELECT n FROM notes ORDER BY n").rows { $0.int64(0) }
        }
        #expect(seen == [2, 11])
        try await session.write { $0.executeLater("INSERT INTO notes VALUES (3)") }
        #expect(try await notes(session) == [2, 3, 11], "a write queued last went with the COMMIT")
    }

    @Test("a queued write that fails fails its transaction at the COMMIT, naming it; nothing is written")
    func failureAtCommit() async throws {
        let session = try await session()
        let error = await #expect(throws: PostgresError.self) {
            try await session.write { connection in
                connection.executeLater("INSERT INTO notes VALUES (1)")
                connection.executeLater("INSERT INTO notes VALUES (1)")
                connection.executeLater("INSERT INTO notes VALUES (2)")
            }
        }
        #expect(error?.sqlState == "23505")
        #expect(error?.statement == "INSERT INTO notes VALUES (1)")
        #expect(try await notes(session) == [], "the connection was rolled back and serves the next transaction")
    }

    @Test("a queued write that fails is reported by the next statement, and the transaction rolls back")
    func failureAtNextStatement() async throws {
        let session = try await session()
        await #expect(throws: PostgresError.self) {
            try await session.write { connection in
                connection.executeLater("INSERT INTO notes VALUES (1)")
                connection.executeLater("INSERT INTO missing VALUES (1)")
                _ = try connection.execute("SELECT 1")
                Issue.record("the statement after a failed queued write ran")
            }
        }
        try await session.write { $0.executeLater("INSERT INTO notes VALUES (5)") }
        #expect(try await notes(session) == [5])
    }

    @Test("a statement libpq will not send fails its transaction, and the connection serves the next one")
    func refusedSend() async throws {
        let session = try await session()
        await #expect(throws: PostgresError.self) {
            try await session.write { connection in
                connection.executeLater("INSERT INTO notes VALUES (1)")
                // More parameters than the protocol can carry: libpq refuses it before sending anything.
                connection.executeLater("SELECT 1", Array(repeating: .int8(1), count: 70_000))
                _ = try connection.execute("SELECT 1")
            }
        }
        try await session.write { $0.executeLater("INSERT INTO notes VALUES (7)") }
        #expect(try await notes(session) == [7])
    }
}
