import Foundation

/// Where a Switchboard database lives: a SQLite file, or a PostgreSQL database named by URL.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    /// A `postgres://` or `postgresql://` URL (libpq's connection URI).
    case postgres(url: String)

    /// A URL with a PostgreSQL scheme selects PostgreSQL; anything else is a SQLite path.
    public init(_ text: String) {
        let lowered = text.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            self = .postgres(url: text)
        } else {
            self = .sqlite(path: text)
        }
    }

    /// The location as given, password included: for a child process's environment, never for output.
    public var connectionText: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): url
        }
    }

    /// For messages and logs: the path, or the URL with its password masked.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): Self.maskingPassword(url)
        }
    }

    /// The password a PostgreSQL URL carries, in every form it may be shown: as written in the URL, and
    /// percent-decoded (as libpq sends it, and as a server or a command may echo it). Empty when there is
    /// none. The URL need not be well-formed: libpq's message about a malformed one quotes it.
    public var passwordForms: [String] {
        guard case .postgres(let url) = self else { return [] }
        var forms: [String] = []
        for range in Self.passwordRanges(in: url) where !url[range].isEmpty {
            let written = String(url[range])
            forms.append(written)
            if let decoded = written.removingPercentEncoding, !decoded.isEmpty {
                forms.append(decoded)
            }
        }
        return Array(Set(forms)).sorted { $0.count > $1.count }
    }

    /// The location with `password` added to a PostgreSQL URL as its last `password=` parameter
    /// (percent-encoded; libpq takes the last value a URL gives). A SQLite path is returned unchanged.
    ///
    /// This is how a password read from a file reaches libpq without ever being on a command line.
    public func addingPassword(_ password: String) -> StoreLocation {
        guard case .postgres(let url) = self else { return self }
        let encoded = password.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? ""
        return .postgres(url: url + (url.contains("?") ? "&" : "?") + "password=" + encoded)
    }

    /// RFC 3986's unreserved characters: everything else in a password is percent-encoded.
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// The URL with the password of its user part and any `password=` parameter replaced by `***`.
    static func maskingPassword(_ url: String) -> String {
        var masked = url
        for range in passwordRanges(in: url).sorted(by: { $0.lowerBound > $1.lowerBound }) {
            masked.replaceSubrange(range, with: "***")
        }
        return masked
    }

    /// Where a URL writes passwords: after the colon of its user part (`user:PASSWORD@host`), and in the
    /// value of each `password=` parameter.
    private static func passwordRanges(in url: String) -> [Range<String.Index>] {
        var ranges: [Range<String.Index>] = []
        if let scheme = url.range(of: "://") {
            let authority = url[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" }
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                ranges.append(url.index(after: colon)..<at)
            }
        }
        if let query = url.firstIndex(of: "?") {
            let parameters = url[url.index(after: query)...].split(separator: "&", omittingEmptySubsequences: false)
            for parameter in parameters where parameter.lowercased().hasPrefix("password=") {
                ranges.append(parameter.index(parameter.startIndex, offsetBy: 9)..<parameter.endIndex)
            }
        }
        return ranges
    }
}
