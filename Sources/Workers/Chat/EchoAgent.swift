import Enqueuer
import Foundation
import Queue

/// Answers with the message itself.
public struct EchoAgent: Agent {
    public init() {}

    public func reply(to turn: AgentTurn) async throws(AgentError) -> String {
        "echo: " + turn.message
    }
}
