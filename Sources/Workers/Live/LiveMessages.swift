import Foundation
import JSON

/// The messages a live reply has sent for a turn, by part: the provider's ids, saved as the turn's
/// checkpoint as soon as each send returns, so that a later attempt (or the failure notice) edits them
/// instead of sending new ones. The text each shows, where this attempt knows it.
struct LiveMessages: Sendable, Equatable {
    /// The provider's id of each part's message, part 1 first.
    private(set) var ids: [String] = []
    /// The text each part shows; nil where an earlier attempt sent it and this one has not since.
    private(set) var texts: [String?] = []

    init() {}

    /// The messages a checkpoint names (none when it names none, or was not written by a live reply).
    init(checkpoint: Data?) {
        guard let checkpoint, case .object(let saved)? = try? JSONParser.parse(checkpoint),
            case .array(let ids)? = saved["messages"]
        else { return }
        self.ids = ids.compactMap(\.stringValue)
        texts = Array(repeating: nil, count: self.ids.count)
    }

    /// The checkpoint that names these messages.
    var checkpoint: Data {
        JSONValue.object(JSONObject(["messages": .array(ids.map(JSONValue.string))])).serialized
    }

    /// Whether part `index` (from 0) shows `text` already.
    func shows(_ text: String, at index: Int) -> Bool {
        index < texts.count && texts[index] == text
    }

    /// The id of part `index`'s message, if it was sent.
    func id(at index: Int) -> String? {
        index < ids.count ? ids[index] : nil
    }

    /// Records that part `index` now shows `text`, in the message `id` (a new part's, or the one it had).
    mutating func record(_ text: String, at index: Int, id: String) {
        if index < ids.count {
            texts[index] = text
        } else {
            ids.append(id)
            texts.append(text)
        }
    }
}
