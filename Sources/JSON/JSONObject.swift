/// A JSON object's members in document order; lookups scan, which beats hashing for the dozen or so
/// members a chat payload has.
public struct JSONObject: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    public var members: [Member]

    public init(_ members: [Member] = []) {
        self.members = members
    }

    public init(_ pairs: KeyValuePairs<String, JSONValue>) {
        members = pairs.map { Member(key: $0.key, value: $0.value) }
    }

    /// The value of the last member named `key` (the rule most JSON readers follow for duplicates).
    public subscript(key: String) -> JSONValue? {
        members.last { $0.key == key }?.value
    }

    /// Sets the member named `key` to `value`, replacing one already there; a nil value removes it.
    public mutating func set(_ key: String, _ value: JSONValue?) {
        set(key, value as (any JSONRepresentable)?)
    }

    /// Sets the member named `key` to `value`'s JSON, replacing one already there; nil removes it.
    public mutating func set(_ key: String, _ value: (any JSONRepresentable)?) {
        let index = members.firstIndex { $0.key == key }
        switch (index, value) {
        case (let index?, let value?): members[index].value = value.json
        case (nil, let value?): members.append(Member(key: key, value: value.json))
        case (let index?, nil): members.remove(at: index)
        case (nil, nil): break
        }
    }
}
