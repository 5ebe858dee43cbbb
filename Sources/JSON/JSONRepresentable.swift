/// A Swift value with one obvious JSON form, so output can be built in code as
/// `["id": id, "status": "ok"]` and written with the project's own writer.
public protocol JSONRepresentable: Sendable {
    var json: JSONValue { get }
}

extension JSONValue: JSONRepresentable {
    public var json: JSONValue { self }
}

extension JSONObject: JSONRepresentable {
    public var json: JSONValue { .object(self) }
}

extension String: JSONRepresentable {
    public var json: JSONValue { .string(self) }
}

extension Bool: JSONRepresentable {
    public var json: JSONValue { .bool(self) }
}

extension Int: JSONRepresentable {
    public var json: JSONValue { .integer(Int64(self)) }
}

extension Int64: JSONRepresentable {
    public var json: JSONValue { .integer(self) }
}

extension Double: JSONRepresentable {
    /// A number; JSON has no NaN or infinity, so those are written as null.
    public var json: JSONValue { isFinite ? .double(self) : .null }
}

extension Array: JSONRepresentable where Element: JSONRepresentable {
    public var json: JSONValue { .array(map(\.json)) }
}

extension Optional: JSONRepresentable where Wrapped: JSONRepresentable {
    public var json: JSONValue { self?.json ?? .null }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Members in the order written; a nil value leaves its member out.
    public init(dictionaryLiteral elements: (String, (any JSONRepresentable)?)...) {
        self.init(elements.compactMap { key, value in value.map { Member(key: key, value: $0.json) } })
    }
}

extension Dictionary: JSONRepresentable where Key == String, Value: JSONRepresentable {
    /// An object, its members in key order.
    public var json: JSONValue {
        .object(JSONObject(sorted { $0.key < $1.key }.map { JSONObject.Member(key: $0.key, value: $0.value.json) }))
    }
}
