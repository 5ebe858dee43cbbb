import Foundation
import JSON

/// A job's error history as stored: a JSON array of failures, oldest first, written and read with the
/// project's own JSON writer and reader.
enum ErrorHistory {
    /// The failures stored in `text` (none when there is no history yet).
    /// - Throws: `QueueError.corrupt` when the stored text is not a history Switchboard wrote: a job's
    ///   failures are never silently dropped.
    static func decode(_ text: String?) throws -> [JobFailure] {
        guard let text else { return [] }
        do {
            guard case .array(let elements) = try JSONParser.parse(Data(text.utf8)) else {
                throw JSONFieldError(path: nil, problem: "must be an array")
            }
            return try elements.map { element in
                let failure = try JSONFields(root: element)
                return JobFailure(
                    attempt: Int(try failure.integer("attempt")), at: try failure.integer("at"),
                    error: try failure.string("error")
                )
            }
        } catch {
            throw QueueError(.corrupt, "a job's stored error history cannot be read: \(error)")
        }
    }

    static func encode(_ failures: some Sequence<JobFailure>) -> String {
        let array = JSONValue.array(
            failures.map { failure in
                .object(
                    JSONObject([
                        "attempt": .integer(Int64(failure.attempt)), "at": .integer(failure.at),
                        "error": .string(failure.error),
                    ]))
            })
        return String(decoding: array.serialized, as: UTF8.self)
    }
}
