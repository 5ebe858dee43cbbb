import CCurl
import Foundation

/// One request on its way through libcurl: an easy handle (`CURL*`) set up for it, with the buffers its
/// callbacks fill, from the moment it joins `CurlMulti` to its end. Cleaned up in `deinit`.
///
/// Not thread-safe: only `HTTPClient`'s transfer thread touches it.
final class CurlTransfer {
    let handle: UnsafeMutableRawPointer
    /// Resumed with the outcome once the transfer ends.
    let continuation: CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>
    let cancelled: CancellationFlag
    /// libcurl writes its error text here; it keeps the pointer, so the buffer lives as long as the handle.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let collector: ResponseCollector
    private let headers: CurlHeaderList
    /// The form body, when the request sends one; freed after the handle (stored properties outlive `deinit`).
    private var form: CurlMime?

    /// A libcurl call that did not return `CURLE_OK`.
    private struct Failed: Error {
        let code: CURLcode
    }

    /// Sets up a handle for `request`; its body is copied, so the transfer owns all it reads.
    /// - Throws: `HTTPError` when libcurl refuses a setting (a malformed URL, say).
    init(
        _ request: HTTPRequest, cancelled: CancellationFlag,
        continuation: CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>
    ) throws(HTTPError) {
        guard let handle = curl_easy_init() else {
            throw HTTPError(code: .other, message: "curl_easy_init failed: libcurl could not allocate a handle")
        }
        self.handle = handle
        self.continuation = continuation
        self.cancelled = cancelled
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        collector = ResponseCollector(
            maxBodyBytes: request.maxResponseBytes, refusesLargerBodies: request.refusesLargerBodies,
            onBody: request.onBody)
        headers = CurlHeaderList(request.headers.map { "\($0.name): \($0.value)" } + ["Expect:"])
        do {
            try configure(request)
        } catch let failed as Failed {
            throw error(for: failed.code)
        } catch let failed as HTTPError {
            throw failed
        } catch {
            throw HTTPError(code: .other, message: String(describing: error))
        }
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// The outcome of the transfer, which libcurl ended with `code`.
    func outcome(_ code: CURLcode) -> Result<HTTPResponse, HTTPError> {
        guard code == CURLE_OK else { return .failure(error(for: code)) }
        var status = 0
        _ = sb_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, headers: collector.headers, body: collector.body))
    }

    private func configure(_ request: HTTPRequest) throws {
        let collectorPointer = Unmanaged.passUnretained(collector).toOpaque()
        try check(sb_curl_setopt_string(handle, CURLOPT_URL, request.url))
        try check(sb_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        try check(sb_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        try check(sb_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        try check(sb_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
        try check(sb_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
        try check(sb_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout)))
        try check(sb_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.totalTimeout)))
        try check(sb_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        try check(sb_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headers.pointer)))
        try check(sb_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, ResponseCollector.bodyCallback))
        try check(sb_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, collectorPointer))
        try check(sb_curl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, ResponseCollector.headerCallback))
        try check(sb_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, collectorPointer))
        if let parts = request.form {
            let form = try CurlMime(handle: handle, parts: parts)
            self.form = form
            try check(sb_curl_setopt_pointer(handle, CURLOPT_MIMEPOST, UnsafeMutableRawPointer(form.pointer)))
            return
        }
        switch request.method {
        case .post, .put, .patch:
            try check(sb_curl_setopt_long(handle, CURLOPT_POST, 1))
            if request.method != .post {
                try check(sb_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method.rawValue))
            }
            // COPYPOSTFIELDS copies the bytes at once: the request's Data need not outlive this call.
            let body = request.body ?? Data()
            try check(sb_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count))
            if let bytes = body.isEmpty ? nil : body {
                try bytes.withUnsafeBytes { bytes in
                    try check(
                        sb_curl_setopt_pointer(
                            handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress!)))
                }
            } else {
                // An empty body still needs a valid address: libcurl copies zero bytes from it.
                var empty: UInt8 = 0
                try withUnsafeMutablePointer(to: &empty) { empty in
                    try check(sb_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(empty)))
                }
            }
        case .get:
            try check(sb_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        case .delete:
            try check(sb_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method.rawValue))
        }
    }

    /// A timeout as libcurl's `_MS` options take it: whole milliseconds, rounded toward zero.
    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    /// The one check every libcurl setting's return code goes through.
    private func check(_ code: CURLcode) throws {
        if code != CURLE_OK {
            throw Failed(code: code)
        }
    }

    private func error(for code: CURLcode) -> HTTPError {
        if collector.refusedLargerBody {
            return HTTPError(
                code: .tooLarge, message: "the body grew past \(collector.maxBodyBytes) bytes",
                curlCode: Int32(code.rawValue))
        }
        let detail = String(cString: errorBuffer)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        let kind: HTTPError.Code =
            switch code {
            case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY,
                CURLE_SSL_CONNECT_ERROR,
                CURLE_PEER_FAILED_VERIFICATION:
                .connect
            case CURLE_OPERATION_TIMEDOUT: .timeout
            case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE: .connectionDropped
            case CURLE_ABORTED_BY_CALLBACK: .cancelled
            default: .other
            }
        return HTTPError(code: kind, message: message, curlCode: Int32(code.rawValue))
    }
}

@available(*, unavailable)
extension CurlTransfer: Sendable {}
