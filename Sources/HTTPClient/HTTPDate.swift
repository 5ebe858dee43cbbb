import Foundation

/// HTTP's dates (RFC 9110, section 5.6.7): the IMF-fixdate every sender uses, and the two obsolete forms a
/// recipient still accepts, read with Foundation's date parser.
enum HTTPDate {
    private static let formats = [
        "EEE, dd MMM yyyy HH:mm:ss 'GMT'", // Sun, 06 Nov 1994 08:49:37 GMT
        "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", // Sunday, 06-Nov-94 08:49:37 GMT
        "EEE MMM d HH:mm:ss yyyy", // Sun Nov  6 08:49:37 1994
    ]

    /// The date `text` names, if it is one of HTTP's forms.
    static func parse(_ text: String) -> Date? {
        let text = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        for format in formats {
            // A formatter per call: a 429 is rare, and a formatter is not safe to share between threads.
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
