import ChatStore
import Enqueuer
import Foundation
import Queue

/// What an agent is asked: one turn of a conversation.
public struct AgentTurn: Sendable {
    public var turnID: Int64
    public var owner: String
    public var conversation: String
    public var message: String
    /// Earlier messages, oldest first, ending with this one.
    public var history: [HistoryMessage]
}
/// An agent call that failed; retryable unless the agent refused the request itself.
public struct AgentError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public let retryable: Bool
}
/// Answers a turn.
public protocol Agent: Sendable {
    func reply(to turn: AgentTurn) async throws(AgentError) -> String
}
