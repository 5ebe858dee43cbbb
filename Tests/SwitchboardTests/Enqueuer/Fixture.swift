import Enqueuer
import Foundation
import JSON
import Queue

/// A provider payload: one kept under `Fixtures/PROVIDER/NAME.json` (written from the provider's
/// documentation), or an edited copy of one.
struct Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures")
    static let receivedAt = Timestamp(millisecondsSince1970: 1_732_262_400_000)

    let provider: Provider
    let data: Data

    init(_ provider: Provider, _ name: String) throws {
        self.provider = provider
        data = try Data(
            contentsOf: Self.directory.appendingPathComponent(provider.rawValue).appendingPathComponent(name + ".json"))
    }

    init(_ provider: Provider, body: Data) {
        self.provider = provider
        data = body
    }

    /// Every fixture of a provider.
    static func all(_ provider: Provider) throws -> [Fixture] {
        let folder = directory.appendingPathComponent(provider.rawValue)
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            .map { Fixture(provider, body: try Data(contentsOf: folder.appendingPathComponent($0))) }
    }

    var delivery: Delivery {
        Delivery(provider: provider, body: data)
    }

    func normalised() throws(IntakeRejection) -> Normalised {
        try PayloadNormaliser.normalise(provider: provider, body: data, receivedAt: Self.receivedAt)
    }

    func event() throws -> InboundEvent {
        guard case .message(let event) = try normalised() else {
            throw FixtureError(message: "\(provider.rawValue) fixture is not a message")
        }
        return event
    }

    /// The fixture with the value at a dotted path (`message.chat.id`, `item_list[0]`) replaced, or removed
    /// when `value` is nil.
    func editing(_ path: String, to value: JSONValue?) throws -> Fixture {
        var root = try JSONParser.parse(data)
        try Self.edit(&root, path: path.split(separator: ".").map(String.init)[...], value: value)
        return Fixture(provider, body: root.serialized)
    }

    private static func edit(_ node: inout JSONValue, path: ArraySlice<String>, value: JSONValue?) throws {
        guard let head = path.first else { return }
        if let open = head.firstIndex(of: "["), case .object(var object) = node {
            let key = String(head[..<open])
            let index = Int(head[head.index(after: open)..<head.index(before: head.endIndex)])!
            guard case .array(var elements)? = object[key] else { throw FixtureError(message: "no array at \(head)") }
            if path.count == 1 {
                if let value { elements[index] = value } else { elements.remove(at: index) }
            } else {
                try edit(&elements[index], path: path.dropFirst(), value: value)
            }
            object.members.removeAll { $0.key == key }
            object.set(key, .array(elements))
            node = .object(object)
            return
        }
        guard case .object(var object) = node else { throw FixtureError(message: "no object at \(head)") }
        if path.count == 1 {
            object.members.removeAll { $0.key == head }
            object.set(head, value)
        } else {
            guard var child = object[head] else { throw FixtureError(message: "no member \(head)") }
            try edit(&child, path: path.dropFirst(), value: value)
            object.members.removeAll { $0.key == head }
            object.set(head, child)
        }
        node = .object(object)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
