import Foundation

/// A job's error history as stored: a JSON array of failures, oldest first.
enum ErrorHistory {
    static func decode(_ text: String?) -> [JobFailure] {
        guard let text, let data = text.data(using: .utf8) else { return [] }
        return (try? JSONDecoder().decode([JobFailure].self, from: data)) ?? []
    }

    static func encode(_ failures: some Sequence<JobFailure>) throws -> String {
        String(decoding: try JSONEncoder().encode(Array(failures)), as: UTF8.self)
    }
}
