import Foundation

/// A value bound to a PostgreSQL statement parameter, sent in binary form with its type, so nothing is
/// ever interpolated into SQL and no text escaping is involved.
package enum PGValue: Sendable {
    case int8(Int64)
    case float8(Double)
    case text(String)
    case bytea(Data)
    case bool(Bool)
    case int8Array([Int64])
    /// Elements may be NULL.
    case textArray([String?])
    case byteaArray([Data])
    /// NULL of the given type.
    case null(PGType)

    package static func integer(_ value: Int) -> PGValue { .int8(Int64(value)) }

    /// `text` for a present string, a text NULL for an absent one.
    package static func optionalText(_ value: String?) -> PGValue {
        value.map(PGValue.text) ?? .null(.text)
    }

    package static func optionalInt8(_ value: Int64?) -> PGValue {
        value.map(PGValue.int8) ?? .null(.int8)
    }

    package var type: PGType {
        switch self {
        case .int8: .int8
        case .float8: .float8
        case .text: .text
        case .bytea: .bytea
        case .bool: .bool
        case .int8Array: .int8Array
        case .textArray: .textArray
        case .byteaArray: .byteaArray
        case .null(let type): type
        }
    }

    /// The binary wire form; nil for NULL.
    var encoded: [UInt8]? {
        switch self {
        case .int8(let number): Self.bigEndian(number)
        case .float8(let number): Self.bigEndian(number.bitPattern)
        case .text(let string): Array(string.utf8)
        case .bytea(let data): Array(data)
        case .bool(let flag): [flag ? 1 : 0]
        case .int8Array(let numbers): Self.array(numbers.map(Self.bigEndian), element: .int8)
        case .textArray(let strings): Self.array(strings.map { $0.map { Array($0.utf8) } }, element: .text)
        case .byteaArray(let blobs): Self.array(blobs.map { Array($0) }, element: .bytea)
        case .null: nil
        }
    }

    private static func bigEndian<T: FixedWidthInteger>(_ number: T) -> [UInt8] {
        withUnsafeBytes(of: number.bigEndian, Array.init)
    }

    /// A one-dimensional array in PostgreSQL's binary array format: dimensions, a has-NULL flag, the
    /// element type, then each element's length (-1 for NULL) and bytes.
    private static func array(_ elements: [[UInt8]?], element: PGType) -> [UInt8] {
        var bytes = bigEndian(Int32(elements.isEmpty ? 0 : 1))
        bytes += bigEndian(Int32(elements.contains { $0 == nil } ? 1 : 0))
        bytes += bigEndian(element.oid)
        guard !elements.isEmpty else { return bytes }
        bytes += bigEndian(Int32(elements.count)) + bigEndian(Int32(1))
        for element in elements {
            if let element {
                bytes += bigEndian(Int32(element.count)) + element
            } else {
                bytes += bigEndian(Int32(-1))
            }
        }
        return bytes
    }
}

/// The PostgreSQL types Switchboard binds, by their fixed object ids.
package enum PGType: Sendable {
    case int8, float8, text, bytea, bool, int8Array, textArray, byteaArray
    /// No type given: the server infers the parameter's from the statement (for an untyped NULL).
    case unknown

    var oid: UInt32 {
        switch self {
        case .unknown: 0
        case .int8: 20
        case .float8: 701
        case .text: 25
        case .bytea: 17
        case .bool: 16
        case .int8Array: 1016
        case .textArray: 1009
        case .byteaArray: 1001
        }
    }
}
