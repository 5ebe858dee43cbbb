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

/// Answers with the message itself.
public struct EchoAgent: Agent {
    public init() {}

    public func reply(to turn: AgentTurn) async throws(AgentError) -> String {
        "echo: " + turn.message
    }
}

/// `POST`s the turn as JSON (`turn_id`, `owner`, `conversation`, `message`, `history`) and reads
/// `{"reply": ...}`. The turn id lets the agent recognise a turn it is asked again after a failure.
public struct HTTPAgent: Agent {
    let url: String
    let connectTimeout: Duration
    let timeout: Duration
    let http: HTTPClient

    public init(url: String, connectTimeout: Duration, timeout: Duration, http: HTTPClient) {
        self.url = url
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.http = http
    }

    public func reply(to turn: AgentTurn) async throws(AgentError) -> String {
        let body = JSONValue.object(JSONObject([
            "turn_id": .integer(turn.turnID),
            "owner": .string(turn.owner),
            "conversation": .string(turn.conversation),
            "message": .string(turn.message),
            "history": .array(turn.history.map { message in
                .object(JSONObject(["role": .string(message.role.rawValue), "text": .string(message.text)]))
            }),
        ])).serialized
        var request = HTTPRequest.json(url, body)
        request.connectTimeout = connectTimeout
        request.totalTimeout = timeout
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            throw AgentError(description: "agent unreachable: \(error)", retryable: true)
        }
        guard (200..<300).contains(response.status) else {
            throw AgentError(description: "agent answered HTTP \(response.status)", retryable: response.status >= 500 || response.status == 429)
        }
        guard case .object(let answer)? = try? JSONParser.parse(response.body), case .string(let reply)? = answer["reply"] else {
            throw AgentError(description: "agent answer has no \"reply\" string", retryable: true)
        }
        return reply
    }
}
