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
        if ascii("ftyp", at: 4) { return ascii("M4A", at: 8) ? "audio/mp4" : "video/mp4" }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return "application/zip" }
        return nil
    }

    /// Whether the bytes are a web page: what Slack answers a download it does not authorise, with 200.
    static func isWebPage(_ data: Data) -> Bool {
        let head = String(decoding: data.prefix(64), as: UTF8.self).trimmingPrefix(while: \.isWhitespace)
            .lowercased()
        return head.hasPrefix("<!doctype html") || head.hasPrefix("<html")
    }

    /// The content type to give the agent: the bytes' own where they show one; else the declared type,
    /// unless it claims a format the bytes would have shown (an image, a PDF); else a plain byte stream.
    static func reconcile(sniffed: String?, declared: String?) -> String {
        if let sniffed { return sniffed }
        let declared = declared?.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard let declared, !declared.isEmpty, !declared.hasPrefix("image/"), declared != "application/pdf" else {
            return "application/octet-stream"
        }
        return declared
    }
}
