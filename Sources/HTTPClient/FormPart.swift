import Foundation

/// One part of a `multipart/form-data` body (`HTTPRequest.form`): a field, or a file with its name and
/// content type. libcurl writes the body and its boundary.
public struct FormPart: Sendable, Equatable {
    /// The part's name in its `Content-Disposition` (the form field's).
    public var name: String
    /// The part's bytes: a field's value, or a file's contents.
    public var data: Data
    /// The file name the part carries in its `Content-Disposition`; nil for a plain field.
    public var fileName: String?
    /// The part's own `Content-Type`; nil leaves it to libcurl (none for a field).
    public var contentType: String?

    public init(name: String, data: Data, fileName: String? = nil, contentType: String? = nil) {
        self.name = name
        self.data = data
        self.fileName = fileName
        self.contentType = contentType
    }

    /// A plain field.
    public static func field(_ name: String, _ value: String) -> FormPart {
        FormPart(name: name, data: Data(value.utf8))
    }

    /// A file.
    public static func file(_ name: String, _ data: Data, fileName: String, contentType: String) -> FormPart {
        FormPart(name: name, data: data, fileName: fileName, contentType: contentType)
    }
}
