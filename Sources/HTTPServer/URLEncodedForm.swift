/// The fields of an `application/x-www-form-urlencoded` body (what an HTML form posts), read without
/// Foundation's URL parser.
///
/// `URLComponents.percentEncodedQuery` traps on a query it considers invalid (one `"` was enough to
/// stop `serve`), so a body cannot go near it. This reader is a pure function of the bytes that can
/// only return fields or throw: `+` is a space and `%XX` is the byte XX; empty pairs (`a=1&&b=2`, a
/// trailing `&`) are skipped and a pair without `=` is a name with an empty value, as browsers send
/// them. What a browser never sends is refused rather than guessed at: a `%` not followed by two hex
/// digits, a name or value that is not UTF-8 once decoded, an empty name, a name given twice (which
/// of the two would count is a question a form of ours never asks).
package struct URLEncodedForm: Sendable, Equatable {
    /// Each field's value by name.
    package let fields: [String: String]

    /// - Throws: `URLEncodedFormError` naming the field by its position, never by its text.
    package init(_ body: some Collection<UInt8>) throws(URLEncodedFormError) {
        var fields: [String: String] = [:]
        var positions: [String: Int] = [:]
        var position = 0
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            position += 1
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let name = try Self.decode(pair[..<(equals ?? pair.endIndex)], field: position)
            var value = ""
            if let equals {
                value = try Self.decode(pair[pair.index(after: equals)...], field: position)
            }
            guard !name.isEmpty else { throw URLEncodedFormError(.emptyName, field: position) }
            if let first = positions[name] {
                throw URLEncodedFormError(.repeatedName(firstField: first), field: position)
            }
            positions[name] = position
            fields[name] = value
        }
        self.fields = fields
    }

    package subscript(name: String) -> String? {
        fields[name]
    }

    /// `+` as a space and `%XX` as the byte XX, then the bytes as UTF-8.
    private static func decode(_ encoded: some Collection<UInt8>, field: Int) throws(URLEncodedFormError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.count)
        var index = encoded.startIndex
        while index != encoded.endIndex {
            let byte = encoded[index]
            encoded.formIndex(after: &index)
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard index != encoded.endIndex, let high = hexValue(encoded[index]) else {
                    throw URLEncodedFormError(.invalidEscape, field: field)
                }
                encoded.formIndex(after: &index)
                guard index != encoded.endIndex, let low = hexValue(encoded[index]) else {
                    throw URLEncodedFormError(.invalidEscape, field: field)
                }
                encoded.formIndex(after: &index)
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw URLEncodedFormError(.notUTF8, field: field)
        }
        return text
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// A form body that cannot be read: which field (counted from 1, empty pairs not counted) and what is
/// wrong with it. It never quotes the field, which may hold a token.
package struct URLEncodedFormError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Problem: Sendable, Equatable {
        /// A `%` not followed by two hex digits.
        case invalidEscape
        /// The name or value, decoded, is not UTF-8.
        case notUTF8
        /// `=value` with nothing before the `=`.
        case emptyName
        /// The same name as an earlier field.
        case repeatedName(firstField: Int)
    }

    package let problem: Problem
    /// The field's position in the body, from 1.
    package let field: Int

    package init(_ problem: Problem, field: Int) {
        self.problem = problem
        self.field = field
    }

    package var description: String {
        switch problem {
        case .invalidEscape: "form field \(field) has a % that is not followed by two hex digits"
        case .notUTF8: "form field \(field) is not UTF-8 once decoded"
        case .emptyName: "form field \(field) has no name"
        case .repeatedName(let first): "form field \(field) repeats the name of field \(first)"
        }
    }
}
