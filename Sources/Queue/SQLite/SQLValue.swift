import Foundation

/// A value bound to a statement parameter.
enum SQLValue: Sendable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
    case null

    static func integer(_ value: Int) -> SQLValue { .integer(Int64(value)) }

    /// `text` for a present string, `null` for an absent one.
    static func optionalText(_ value: String?) -> SQLValue {
        value.map(SQLValue.text) ?? .null
    }

    static func optionalInteger(_ value: Int64?) -> SQLValue {
        value.map(SQLValue.integer) ?? .null
    }
}
