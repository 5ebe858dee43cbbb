import Enqueuer
import Foundation
import JSON

/// A JSON object of the configuration file, read with errors naming the key's path.
struct ConfigurationFields {
    let object: JSONObject
    let file: String
    var prefix = ""

    func error(_ key: String, _ problem: String) -> ConfigurationError {
        ConfigurationError(.invalid, "\(file): \(prefix)\(key) \(problem)")
    }

    /// Refuses the first key that is not one of `known`.
    func allowOnly(_ known: [String]) throws(ConfigurationError) {
        if let unknown = object.members.first(where: { !known.contains($0.key) }) {
            throw error(unknown.key, "is not a known setting (known here: \(known.joined(separator: ", ")))")
        }
    }

    func object(_ key: String) throws(ConfigurationError) -> ConfigurationFields {
        guard case .object(let nested)? = object[key] else { throw error(key, "must be an object") }
        return ConfigurationFields(object: nested, file: file, prefix: prefix + key + ".")
    }

    func optionalString(_ key: String) throws(ConfigurationError) -> String? {
        switch object[key] {
        case nil: return nil
        case .string(let value)?: return value
        default: throw error(key, "must be a string")
        }
    }

    func string(_ key: String) throws(ConfigurationError) -> String {
        guard let value = try optionalString(key), !value.isEmpty else { throw error(key, "is missing") }
        return value
    }

    func optionalBool(_ key: String) throws(ConfigurationError) -> Bool? {
        switch object[key] {
        case nil: return nil
        case .bool(let value)?: return value
        default: throw error(key, "must be true or false")
        }
    }

    private func number(_ key: String) throws(ConfigurationError) -> Double? {
        switch object[key] {
        case nil: return nil
        case .integer(let value)?: return Double(value)
        case .double(let value)?: return value
        default: throw error(key, "must be a number")
        }
    }

    /// A whole number within `range`.
    func count(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let value = try number(key) else { return nil }
        guard value == value.rounded(), value >= Double(range.lowerBound), value <= Double(range.upperBound) else {
            throw error(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return Int(value)
    }

    /// A number of seconds, more than 0 and at most a day.
    func seconds(_ key: String) throws(ConfigurationError) -> Duration? {
        guard let value = try number(key) else { return nil }
        guard value > 0, value <= 86_400 else { throw error(key, "must be a number of seconds, more than 0 and at most 86400") }
        return .providerSeconds(value)
    }
}
