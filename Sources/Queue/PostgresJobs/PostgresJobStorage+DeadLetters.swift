import Foundation

extension PostgresJobStorage {
    package func deadLetters(queue: String?, kind: String?, after: DeadLetterPosition?, limit: Int) async throws
        -> [JobRecord]
    {
        try await query { connection, _ in
            try connection.execute(
                """
                SELECT \(JobRecord.columns) FROM switchboard.jobs
                WHERE state = 'dead' AND ($1::text IS NULL OR queue = $1) AND ($2::text IS NULL OR kind = $2)
                  AND ($4::bigint IS NULL OR finished_at > $4 OR (finished_at = $4 AND id > $5))
                ORDER BY finished_at, id LIMIT $3
                """,
                [
                    .optionalText(queue), .optionalText(kind), .integer(limit),
                    .optionalInt8(after?.finishedAt.millisecondsSince1970), .int8(after?.id ?? 0),
                ]
            ).rows(JobRecord.init)
        }
    }

    package func deadLetterIDs(queue: String?, deadFor: Duration) async throws -> [Int64] {
        try await query { connection, time in
            try connection.execute(
                """
                SELECT id FROM switchboard.jobs
                WHERE state = 'dead' AND finished_at <= \(PostgresClockSQL.parameter(1)) - $3
                  AND ($2::text IS NULL OR queue = $2)
                ORDER BY finished_at, id
                """,
                [time.parameter, .optionalText(queue), .int8(deadFor.wholeMilliseconds)]
            ).rows { $0.int64(0) }
        }
    }

    package func redrive(deadLetters ids: [Int64]) async throws -> Int {
        try await writeJobs { try $0.redrive(deadLetters: ids) }
    }

    package func purge(deadLetters ids: [Int64]) async throws -> Int {
        try await database.write { connection in
            try connection.execute(
                "DELETE FROM switchboard.jobs WHERE id = ANY($1) AND state = 'dead'", [.int8Array(ids)]
            )
            .affectedRows
        }
    }
}
