import Enqueuer
import Foundation
import JSON
import Queue

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
        let body = JSONValue.object(
            JSONObject([
                "turn_id": .integer(turn.turnID),
                "owner": .string(turn.owner),
                "conversation": .string(turn.conversation),
                "message": .string(turn.message),
                "history": .array(
                    turn.history.map { message in
                        .object(JSONObject(["role": .string(message.role.rawValue), "text": .string(message.text)]))
                    }),
            ])
        ).serialized
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
            throw AgentError(
                description: "agent answered HTTP \(response.status)",
                retryable: response.status >= 500 || response.status == 429)
        }
        guard case .object(let answer)? = try? JSONParser.parse(response.body),
            case .string(let reply)? = answer["reply"]
        else {
            throw AgentError(description: "agent answer has no \"reply\" string", retryable: true)
        }
        return reply
    }
}
