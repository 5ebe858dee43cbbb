import Foundation
import Queue

/// The chat tables of a Switchboard database, beside its job queue: connect codes and the channel
/// connections they make, link tokens and the platform links they make, owner resolution, and each
/// conversation's history.
///
/// Open the database with `SwitchboardDatabase.open`, which creates and migrates these tables with the
/// queue's. Every rule that must hold under concurrency is kept by the backend inside one transaction
/// (`ChatStorage`, its statements written once for both databases); this type checks values and draws
/// codes and tokens, and keeps only their digests.
public struct ChatStore: Sendable {
    public static let connectCodeLifetime: Duration = .seconds(600)
    public static let maxPendingConnectCodes = 5
    public static let linkTokenLifetime: Duration = .seconds(30 * 60)

    /// The queue the chat tables live beside.
    public let jobs: JobStore
    let storage: ChatStorage

    /// The chat tables of `store`.
    /// - Throws: `QueueError.invalidArgument` when the store was opened without them (by `JobStore.open`
    ///   rather than `SwitchboardDatabase.open`).
    public init(_ store: JobStore) throws {
        guard store.schemaParts.contains(where: { $0.name == ChatSchema.part.name }) else {
            throw QueueError.invalid(
                "store", "was opened without the chat tables: open it with SwitchboardDatabase.open")
        }
        jobs = store
        storage = ChatStorage(database: store.storage)
    }

    static func requireValue(_ value: String, _ field: String) throws {
        if value.isEmpty {
            throw QueueError.invalid(field, "must not be empty")
        }
    }
}
