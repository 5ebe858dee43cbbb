import Foundation

/// A value bound to a statement parameter.
package enum SQLValue: Sendable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
    /// Row ids (of jobs, of queued frames), a whole batch in one value: a statement tests a column against
    /// them with `SQLDialect.isAny(ofIntegers:)` (on SQLite they are bound as a JSON array that `json_each`
    /// reads back).
    case integers([Int64])
    case null

    package static func integer(_ value: Int) -> SQLValue { .integer(Int64(value)) }

    /// `text` for a present string, `null` for an absent one.
    package static func optionalText(_ value: String?) -> SQLValue {
        value.map(SQLValue.text) ?? .null
    }

    package static func optionalInteger(_ value: Int64?) -> SQLValue {
        value.map(SQLValue.integer) ?? .null
    }
}
