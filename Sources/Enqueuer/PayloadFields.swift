import JSON

/// A JSON object inside a provider's payload, read field by field with errors that name the field.
struct PayloadFields {
    let object: JSONObject
    let path: String
    let provider: Provider

    init(_ object: JSONObject, path: String = "", provider: Provider) {
        self.object = object
        self.path = path
        self.provider = provider
    }

    func reject(_ key: String?, _ problem: String) -> IntakeRejection {
        IntakeRejection(provider: provider, field: key.map(fieldPath) ?? (path.isEmpty ? nil : path), problem: problem)
    }

    private func fieldPath(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// The value, if present and not null.
    func value(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    func has(_ key: String) -> Bool {
        value(key) != nil
    }

    private func read<T>(_ key: String, _ expected: String, _ convert: (JSONValue) -> T?) throws(IntakeRejection) -> T? {
        guard let value = value(key) else { return nil }
        guard let converted = convert(value) else {
            throw reject(key, "must be \(expected), not \(value.kindName)")
        }
        return converted
    }

    private func required<T>(_ key: String, _ value: T?) throws(IntakeRejection) -> T {
        guard let value else { throw reject(key, "is missing") }
        return value
    }

    func optionalString(_ key: String) throws(IntakeRejection) -> String? {
        try read(key, "a string") { if case .string(let text) = $0 { text } else { nil } }
    }

    func string(_ key: String) throws(IntakeRejection) -> String {
        try required(key, optionalString(key))
    }

    /// A string with leading and trailing white space removed (bots' mentions often leave a space).
    func trimmedString(_ key: String) throws(IntakeRejection) -> String {
        let scalars = try string(key).unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }

    /// A non-empty string.
    func text(_ key: String) throws(IntakeRejection) -> String {
        let value = try string(key)
        if value.isEmpty { throw reject(key, "is empty") }
        return value
    }

    /// The first of `keys` present, as a string; nil when none is.
    func firstOptionalString(_ keys: String...) throws(IntakeRejection) -> String? {
        for key in keys {
            if let value = try optionalString(key) { return value }
        }
        return nil
    }

    func optionalInteger(_ key: String) throws(IntakeRejection) -> Int64? {
        try read(key, "a whole number") { if case .integer(let number) = $0 { number } else { nil } }
    }

    func integer(_ key: String) throws(IntakeRejection) -> Int64 {
        try required(key, optionalInteger(key))
    }

    /// An id the provider may send as a number or a string, as its canonical text.
    func optionalIdentifier(_ key: String) throws(IntakeRejection) -> String? {
        try read(key, "an id (a string or whole number)") { value in
            switch value {
            case .string(let text) where !text.isEmpty: text
            case .integer(let number): String(number)
            default: nil
            }
        }
    }

    func identifier(_ key: String) throws(IntakeRejection) -> String {
        try required(key, optionalIdentifier(key))
    }

    /// The first of `keys` present, as an id; nil when none is.
    func firstOptionalIdentifier(_ keys: String...) throws(IntakeRejection) -> String? {
        for key in keys {
            if let value = try optionalIdentifier(key) { return value }
        }
        return nil
    }

    func optionalBool(_ key: String) throws(IntakeRejection) -> Bool? {
        try read(key, "true or false") { if case .bool(let flag) = $0 { flag } else { nil } }
    }

    func optionalObject(_ key: String) throws(IntakeRejection) -> PayloadFields? {
        try read(key, "an object") { value in
            if case .object(let object) = value { PayloadFields(object, path: fieldPath(key), provider: provider) } else { nil }
        }
    }

    func object(_ key: String) throws(IntakeRejection) -> PayloadFields {
        try required(key, optionalObject(key))
    }

    func optionalArray(_ key: String) throws(IntakeRejection) -> [JSONValue]? {
        try read(key, "an array") { if case .array(let elements) = $0 { elements } else { nil } }
    }

    /// Element `index` of an array field, as an object.
    func element(_ key: String, _ index: Int, of elements: [JSONValue]) throws(IntakeRejection) -> PayloadFields {
        guard case .object(let object) = elements[index] else {
            throw reject("\(key)[\(index)]", "must be an object, not \(elements[index].kindName)")
        }
        return PayloadFields(object, path: fieldPath("\(key)[\(index)]"), provider: provider)
    }
}
