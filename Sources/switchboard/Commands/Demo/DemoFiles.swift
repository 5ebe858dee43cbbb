import Enqueuer
import Foundation
import Queue

/// The files a demo run writes beside its database.
struct DemoFiles {
    let database: String

    var replies: String { database + ".replies.jsonl" }
    var all: [String] { [database, database + "-wal", database + "-shm", database + "-writer", replies] }
}
