import ChatStore
import Enqueuer
import Foundation
import Queue

/// What an agent is asked: one turn of a conversation.
public struct AgentTurn: Sendable {
    public var turnID: Int64
    public var owner: String
    public var conversation: String
    /// The message answered; the messages answered together, one a line, when several were folded into
    /// one turn.
    public var message: String
    /// The conversation before `message`, oldest first (at most `history_limit` messages): never the
    /// message answered itself.
    public var history: [HistoryMessage]
    /// The files the messages answered carry, in order: fetched, or with the reason they were not.
    public var attachments: [TurnAttachment] = []
}
/// An agent call that failed; retryable unless the agent refused the request itself.
public struct AgentError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public let retryable: Bool
}
/// Answers a turn.
public protocol Agent: Sendable {
    /// Answers `turn` with the whole answer. An agent that streams tells `progress` the answer's text so
    /// far each time it grows, so the chat can show it; one that does not leaves it alone.
    func reply(to turn: AgentTurn, progress: AnswerProgress) async throws(AgentError) -> AgentAnswer
}
