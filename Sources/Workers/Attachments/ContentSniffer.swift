import Foundation

/// The content type a file's first bytes show, for the formats chat files come in: what a provider's
/// header or a user's file name claims is not taken on trust where the bytes say otherwise.
enum ContentSniffer {
    /// The type the bytes are, or nil when they are none of the formats known here.
    static func contentType(of data: Data) -> String? {
        let head = [UInt8](data.prefix(16))
        func starts(_ bytes: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + bytes.count && Array(head[offset..<offset + bytes.count]) == bytes
        }
        func ascii(_ text: String, at offset: Int = 0) -> Bool { starts(Array(text.utf8), at: offset) }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if ascii("GIF87a") || ascii("GIF89a") { return "image/gif" }
        if ascii("RIFF") && ascii("WEBP", at: 8) { return "image/webp" }
        if ascii("RIFF") && ascii("WAVE", at: 8) { return "audio/wav" }
        if ascii("%PDF-") { return "application/pdf" }
        if ascii("OggS") { return "audio/ogg" }
        if ascii("ID3") { return "audio/mpeg" }
        if ascii("#!AMR") { return "audio/amr" }
        if ascii("#!SILK_V3") || ascii("#!SILK_V3", at: 1) { return "audio/silk" }
        if starts([0x1A, 0x45, 0xDF, 0xA3]) { return "video/webm" }
        if ascii("ftyp", at: 4) {
            return isoMediaType(brand: String(decoding: head.dropFirst(8).prefix(4), as: UTF8.self))
        }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return zip }
        return nil
    }

    /// A ZIP archive: also what Office documents, OpenDocument files and EPUBs are made of.
    static let zip = "application/zip"

    /// The type of an ISO base media file (MP4's container) by its major brand.
    private static func isoMediaType(brand: String) -> String {
        switch brand {
        case "heic", "heix", "heim", "heis", "mif1", "msf1": "image/heic"
        case "avif", "avis": "image/avif"
        case "qt  ": "video/quicktime"
        case "M4A ", "M4B ": "audio/mp4"
        case "3gp4", "3gp5", "3gp6", "3g2a": "video/3gpp"
        default: "video/mp4"
        }
    }

    /// The content type to give the agent: the bytes' own where they show one, unless they are a ZIP
    /// archive that the declared type names more precisely (a Word or OpenDocument file); else the declared
    /// type, unless it claims a format the bytes would have shown (an image, a PDF) or is not a plain
    /// `type/subtype`; else a plain byte stream.
    static func reconcile(sniffed: String?, declared: String?) -> String {
        let declared = declared?.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        .flatMap { isMediaType($0) ? $0 : nil }
        if let sniffed {
            if sniffed == zip, let declared, !declared.hasPrefix("image/"), !declared.hasPrefix("text/") {
                return declared
            }
            return sniffed
        }
        guard let declared, !declared.hasPrefix("image/"), declared != "application/pdf" else {
            return "application/octet-stream"
        }
        return declared
    }

    /// Whether `text` is a bare `type/subtype` of RFC 6838's characters, safe as a header's value.
    static func isMediaType(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789!#$&-^_.+".utf8)
        return parts.count == 2
            && parts.allSatisfy { !$0.isEmpty && $0.count <= 127 && $0.utf8.allSatisfy(allowed.contains) }
    }
}
