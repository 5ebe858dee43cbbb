import CCurl
import Foundation

/// A libcurl MIME body (`curl_mime*`) built from form parts, each part's bytes copied into it, freed when
/// the transfer is done with it. It must outlive the easy handle's use of it: `CurlTransfer` holds it,
/// and cleans its handle up first.
final class CurlMime {
    let pointer: OpaquePointer

    /// - Throws: `HTTPError` when libcurl cannot build a part.
    init(handle: UnsafeMutableRawPointer, parts: [FormPart]) throws(HTTPError) {
        guard let mime = curl_mime_init(handle) else {
            throw HTTPError(code: .other, message: "curl_mime_init failed: libcurl could not allocate a form")
        }
        pointer = mime
        for part in parts {
            guard let added = curl_mime_addpart(mime) else {
                throw HTTPError(code: .other, message: "curl_mime_addpart failed for the form part \(part.name)")
            }
            var code = curl_mime_name(added, part.name)
            if code == CURLE_OK {
                // curl_mime_data copies the bytes; an empty part still needs a valid address.
                code = part.data.withUnsafeBytes { bytes in
                    var empty: CChar = 0
                    let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
                    return withUnsafePointer(to: &empty) { empty in curl_mime_data(added, base ?? empty, bytes.count) }
                }
            }
            if code == CURLE_OK, let fileName = part.fileName {
                code = curl_mime_filename(added, fileName)
            }
            if code == CURLE_OK, let contentType = part.contentType {
                code = curl_mime_type(added, contentType)
            }
            guard code == CURLE_OK else {
                throw HTTPError(
                    code: .other,
                    message: "libcurl refused the form part \(part.name): "
                        + String(cString: curl_easy_strerror(code)), curlCode: Int32(code.rawValue))
            }
        }
    }

    deinit {
        curl_mime_free(pointer)
    }
}

@available(*, unavailable)
extension CurlMime: Sendable {}
