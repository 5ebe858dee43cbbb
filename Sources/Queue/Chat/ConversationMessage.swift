import Queue

/// A message to add to a conversation's history with the job that carries it (a user's message with its
/// turn, an assistant's reply with its first delivery): written in the job's transaction, and only if the
/// job is written, so a duplicate delivery writes neither.
package struct ConversationMessage: JobAttachment, Equatable {
    /// Messages kept per conversation unless told otherwise.
    package static let defaultKept = 200
    /// The most older messages one append deletes: a history that grew under a larger `kept` shrinks a
    /// few messages per message added, never in one long transaction.
    static let pruneBatch = 16

    /// An opaque key naming the conversation; the intake derives it from provider, workspace and chat.
    package var conversation: String
    package var role: HistoryRole
    package var text: String
    /// How many of the conversation's newest messages to keep; older ones are pruned as this one is added.
    package var kept: Int

    package init(conversation: String, role: HistoryRole, text: String, kept: Int = ConversationMessage.defaultKept) {
        self.conversation = conversation
        self.role = role
        self.text = text
        self.kept = kept
    }

    package var schemaPartName: String { ChatSchema.part.name }

    package func validate() throws {
        if conversation.isEmpty {
            throw QueueError.invalid("history.conversation", "must not be empty")
        }
        if kept < 1 {
            throw QueueError.invalid("history.kept", "must be at least 1")
        }
    }

    package func write(jobID: Int64, in transaction: any JobWriteTransaction) throws {
        try ChatStorage.append(self, jobID: jobID, in: transaction)
    }
}
