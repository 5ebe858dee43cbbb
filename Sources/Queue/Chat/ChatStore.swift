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

    /// The longest platform name or platform id a link token takes, in bytes.
    static let maxIdentifierBytes = 256

    /// Refuses a platform's name or id that no platform gives: empty or only spaces, longer than
    /// `maxIdentifierBytes`, or holding control or invisible formatting characters.
    static func requireIdentifier(_ value: String, _ field: String) throws {
        guard value.utf8.count <= maxIdentifierBytes,
            value.unicodeScalars.contains(where: { !$0.properties.isWhitespace }),
            !value.unicodeScalars.contains(where: { [.control, .format].contains($0.properties.generalCategory) })
        else {
            throw QueueError.invalid(
                field,
                "must be 1 to \(maxIdentifierBytes) bytes, not only spaces, without control or formatting characters")
        }
    }
}
