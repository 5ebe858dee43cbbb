import CCurl
import Foundation
import Synchronization

/// A libcurl header list (`curl_slist*`), freed when the request is done with it.
final class CurlHeaderList {
    private(set) var pointer: UnsafeMutablePointer<curl_slist>?

    init(_ lines: [String]) {
        for line in lines {
            pointer = curl_slist_append(pointer, line)
        }
    }

    deinit {
        curl_slist_free_all(pointer)
    }
}
@available(*, unavailable)
extension CurlHeaderList: Sendable {}
