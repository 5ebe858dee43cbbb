import Foundation

/// One row of a query result, as the decoders shared by the backends read it: columns by position,
/// from 0, in the order the query selects them.
package protocol StoredRow {
    func int64(_ column: Int) -> Int64
    func optionalInt64(_ column: Int) -> Int64?
    func text(_ column: Int) -> String
    func optionalText(_ column: Int) -> String?
    func blob(_ column: Int) -> Data
    func optionalBlob(_ column: Int) -> Data?
    /// Text that may hold U+0000: a text column where the database's text type can hold it, else the
    /// UTF-8 bytes in a binary column.
    func unrestrictedText(_ column: Int) -> String
}
