import CCurl
import Foundation
import Synchronization

/// Collects a response's body and headers from libcurl's callbacks, which run on the performing thread.
final class ResponseCollector {
    /// Bytes of body kept; the rest is read and dropped.
    let maxBodyBytes: Int
    var body = Data()
    var headers: [String: String] = [:]
    /// A body past `maxBodyBytes` stops the transfer instead of being cut.
    let refusesLargerBodies: Bool
    /// Set when the transfer was stopped for a body past `maxBodyBytes`.
    var refusedLargerBody = false
    let onBody: (@Sendable ([String: String], Data) -> Void)?

    init(maxBodyBytes: Int, refusesLargerBodies: Bool, onBody: (@Sendable ([String: String], Data) -> Void)?) {
        self.maxBodyBytes = maxBodyBytes
        self.refusesLargerBodies = refusesLargerBodies
        self.onBody = onBody
    }

    static let bodyCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int =
        {
            data, size, count, context in
            guard let data, let context else { return 0 }
            let collector = Unmanaged<ResponseCollector>.fromOpaque(context).takeUnretainedValue()
            let length = size * count
            if collector.refusesLargerBodies && collector.body.isEmpty,
                let declared = collector.headers["content-length"].flatMap(Int.init)
            {
                // A body declared too large is refused before any of it is kept; one that fits is given its
                // room at once.
                guard declared <= collector.maxBodyBytes else {
                    collector.refusedLargerBody = true
                    return 0
                }
                collector.body.reserveCapacity(declared)
            }
            if collector.refusesLargerBodies && collector.body.count + length > collector.maxBodyBytes {
                collector.refusedLargerBody = true
                return 0 // libcurl ends the transfer with CURLE_WRITE_ERROR
            }
            if collector.body.count < collector.maxBodyBytes {
                let kept = min(length, collector.maxBodyBytes - collector.body.count)
                collector.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: kept)
            }
            collector.onBody?(
                collector.headers,
                Data(bytes: UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length))
            return length
        }

    static let headerCallback:
        @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
            data, size, count, context in
            guard let data, let context else { return 0 }
            let collector = Unmanaged<ResponseCollector>.fromOpaque(context).takeUnretainedValue()
            let length = size * count
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
            if line.hasPrefix("HTTP/") {
                collector.headers = [:] // a new response (after a 100 Continue, say) starts a new header block
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].trimmedWhitespace.lowercased()
                collector.headers[name] = String(line[line.index(after: colon)...].trimmedWhitespace)
            }
            return length
        }
}
@available(*, unavailable)
extension ResponseCollector: Sendable {}

extension Substring {
    /// Without leading and trailing spaces, tabs and line ends. (Foundation's `trimmingCharacters` goes
    /// through NSString, which costs more than the rest of a response's handling.)
    fileprivate var trimmedWhitespace: Substring {
        let isSpace = { (character: Character) in character == " " || character == "\t" || character.isNewline }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[first...last]
    }
}
