import Queue

/// Where a poller has read a provider's update stream to (Telegram's next `offset`, WeChat's
/// `get_updates_buf`): written in the transaction that records the updates it covers, so a restart
/// neither loses nor repeats them.
package struct PollCursor: TransactionRecord, Equatable {
    /// The most bytes a cursor may hold.
    static let maxBytes = 65_536

    /// Which stream: the provider and the bot (`telegram`, `wechat`, or with a suffix per bot).
    package var source: String
    package var cursor: String

    package init(source: String, cursor: String) {
        self.source = source
        self.cursor = cursor
    }

    package var schemaPartName: String { ChatSchema.part.name }

    package func validate() throws {
        if source.isEmpty {
            throw QueueError.invalid("cursor.source", "must not be empty")
        }
        if cursor.utf8.count > Self.maxBytes || cursor.utf8.contains(0) {
            throw QueueError.invalid("cursor.cursor", "must be at most 64 KiB of text without U+0000")
        }
    }

    package func write(in transaction: any JobWriteTransaction) throws {
        try ChatStorage.save(self, in: transaction)
    }
}
