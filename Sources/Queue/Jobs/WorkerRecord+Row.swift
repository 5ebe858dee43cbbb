import Foundation
import JSON

extension WorkerRecord {
    static let columns =
        "id, host, pid, version, queues, concurrency, started_at, refresh_ms, seen_at, in_flight, stopped, tally, wakeups"

    init(_ row: some StoredRow) {
        registration = WorkerRegistration(
            id: row.text(0), host: row.text(1), pid: Int(row.int64(2)), version: row.text(3),
            queues: row.text(4).split(separator: ",").map(String.init), concurrency: Int(row.int64(5)),
            startedAt: Timestamp(millisecondsSince1970: row.int64(6)), refreshInterval: .milliseconds(row.int64(7)),
            inFlight: Int(row.int64(9)), tally: WorkerTally(json: try? JSONParser.parse(Data(row.text(11).utf8))),
            stopped: row.int64(10) != 0, wakeups: Wakeups(stored: row.text(12)))
        seenAt = Timestamp(millisecondsSince1970: row.int64(8))
    }
}

extension WorkerRegistration {
    /// The row's values after its id, in `WorkerRecord.columns` order, with `seenAt` as `seen_at`.
    func columnValues(seenAt: Timestamp) -> (
        queues: String, refreshMilliseconds: Int64, seenAt: Int64, tally: String, wakeups: String
    ) {
        (
            queues.joined(separator: ","), Int64(refreshInterval.seconds * 1_000), seenAt.millisecondsSince1970,
            String(decoding: tally.json.serialized, as: UTF8.self), wakeups?.stored ?? ""
        )
    }
}

extension WorkerRecord {
    /// Rows of workers not seen for this long are deleted, a few at a time.
    static let keptFor = Duration.seconds(86_400)
}
