/// A JSON object read field by field, with errors that name the field's path (`message.chat.id`) and
/// never its value, which may be a user's text, an id or a credential.
///
/// The one reader of untrusted JSON in Switchboard: webhook payloads, the configuration file, job
/// payloads, `enqueue --batch` lines, provider answers. Each caller words a `JSONFieldError` as its own
/// refusal (an intake rejection, a configuration error, a bad line).
public struct JSONFields: Sendable {
    public let object: JSONObject
    /// The dotted path of this object from the document's root; empty for the root.
    public let path: String

    public init(_ object: JSONObject, path: String = "") {
        self.object = object
        self.path = path
    }

    /// The root of `value`, which must be an object.
    /// - Throws: `JSONFieldError` for the root as a whole when it is not.
    public init(root value: JSONValue) throws(JSONFieldError) {
        guard case .object(let object) = value else {
            throw JSONFieldError(path: nil, problem: "must be a JSON object, not \(value.kindName)")
        }
        self.init(object)
    }

    /// The path of `key` in this object.
    public func path(of key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// An error about `key` (or, for nil, this object as a whole).
    public func error(_ key: String?, _ problem: String) -> JSONFieldError {
        JSONFieldError(path: key.map(path(of:)) ?? (path.isEmpty ? nil : path), problem: problem)
    }

    /// The value, if present and not null.
    public func value(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    public func has(_ key: String) -> Bool {
        value(key) != nil
    }

    /// Refuses the first key that is not one of `known`, calling it a `noun` ("field", "setting").
    public func allowOnly(_ known: [String], noun: String = "field") throws(JSONFieldError) {
        if let unknown = object.members.first(where: { !known.contains($0.key) }) {
            throw error(unknown.key, "is not a known \(noun) (known here: \(known.joined(separator: ", ")))")
        }
    }

    private func read<T>(_ key: String, _ expected: String, _ convert: (JSONValue) -> T?) throws(JSONFieldError) -> T? {
        guard let value = value(key) else { return nil }
        guard let converted = convert(value) else {
            throw error(key, "must be \(expected), not \(value.kindName)")
        }
        return converted
    }

    private func required<T>(_ key: String, _ value: T?) throws(JSONFieldError) -> T {
        guard let value else { throw error(key, "is missing") }
        return value
    }

    public func optionalString(_ key: String) throws(JSONFieldError) -> String? {
        try read(key, "a string") { $0.stringValue }
    }

    public func string(_ key: String) throws(JSONFieldError) -> String {
        try required(key, optionalString(key))
    }

    /// A non-empty string.
    public func text(_ key: String) throws(JSONFieldError) -> String {
        let value = try string(key)
        if value.isEmpty { throw error(key, "is empty") }
        return value
    }

    /// A string with leading and trailing white space removed (bots' mentions often leave a space).
    public func trimmedString(_ key: String) throws(JSONFieldError) -> String {
        let scalars = try string(key).unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }

    /// The first of `keys` present, as a string; nil when none is.
    public func firstOptionalString(_ keys: String...) throws(JSONFieldError) -> String? {
        for key in keys {
            if let value = try optionalString(key) { return value }
        }
        return nil
    }

    public func optionalInteger(_ key: String) throws(JSONFieldError) -> Int64? {
        try read(key, "a whole number") { $0.integerValue }
    }

    public func integer(_ key: String) throws(JSONFieldError) -> Int64 {
        try required(key, optionalInteger(key))
    }

    /// Any number, whole or not.
    public func optionalNumber(_ key: String) throws(JSONFieldError) -> Double? {
        try read(key, "a number") { $0.numberValue }
    }

    /// An id the sender may write as a number or a string, as its canonical text.
    public func optionalIdentifier(_ key: String) throws(JSONFieldError) -> String? {
        try read(key, "an id (a string or whole number)") { value in
            switch value {
            case .string(let text) where !text.isEmpty: text
            case .integer(let number): String(number)
            default: nil
            }
        }
    }

    public func identifier(_ key: String) throws(JSONFieldError) -> String {
        try required(key, optionalIdentifier(key))
    }

    /// The first of `keys` present, as an id; nil when none is.
    public func firstOptionalIdentifier(_ keys: String...) throws(JSONFieldError) -> String? {
        for key in keys {
            if let value = try optionalIdentifier(key) { return value }
        }
        return nil
    }

    public func optionalBool(_ key: String) throws(JSONFieldError) -> Bool? {
        try read(key, "true or false") { $0.boolValue }
    }

    public func optionalObject(_ key: String) throws(JSONFieldError) -> JSONFields? {
        try read(key, "an object") { $0.objectValue.map { JSONFields($0, path: path(of: key)) } }
    }

    public func object(_ key: String) throws(JSONFieldError) -> JSONFields {
        try required(key, optionalObject(key))
    }

    public func optionalArray(_ key: String) throws(JSONFieldError) -> [JSONValue]? {
        try read(key, "an array") { $0.arrayValue }
    }

    /// Element `index` of an array field, as an object.
    public func element(_ key: String, _ index: Int, of elements: [JSONValue]) throws(JSONFieldError) -> JSONFields {
        guard case .object(let object) = elements[index] else {
            throw error("\(key)[\(index)]", "must be an object, not \(elements[index].kindName)")
        }
        return JSONFields(object, path: path(of: "\(key)[\(index)]"))
    }
}

/// A field that is missing or of the wrong type: its path and what is wrong, never its value.
public struct JSONFieldError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The dotted path of the field, or nil for the document as a whole.
    public var path: String?
    public var problem: String

    public init(path: String?, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String {
        path.map { "\($0) \(problem)" } ?? problem
    }
}
