import Foundation
import JSON
import Queue

extension ReplyTarget {
    /// This target as a JSON object, for job payloads.
    public var json: JSONValue {
        var target = JSONObject(["chat": .string(chat)])
        target.set("message", message.map(JSONValue.string))
        target.set("thread", thread.map(JSONValue.string))
        target.set("user", user.map(JSONValue.string))
        target.set("bot", bot.map(JSONValue.string))
        target.set("context", context.map(JSONValue.string))
        return .object(target)
    }

    /// Reads a target written by `json`.
    public init(json target: JSONFields) throws(JSONFieldError) {
        self.init(
            chat: try target.string("chat"),
            message: try target.optionalString("message"),
            thread: try target.optionalString("thread"),
            user: try target.optionalString("user"),
            bot: try target.optionalString("bot"),
            context: try target.optionalString("context")
        )
    }
}
