import CCurl
import Foundation
import Synchronization

/// One libcurl easy handle (`CURL*`): set up for a request, performed, then reset for the next one.
///
/// Not thread-safe; each `CurlThreadPool` thread owns one, so its connection cache is reused across
/// requests to the same host. Reset keeps live connections, which is the point of reusing the handle.
final class CurlEasy {
    private let handle: UnsafeMutableRawPointer
    /// libcurl writes its error text here during `perform`; it keeps the pointer, so the buffer lives
    /// exactly as long as the handle.
    private let errorBuffer: UnsafeMutablePointer<CChar>

    private static let globalInit: Void = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }()

    /// A libcurl call that did not return `CURLE_OK`.
    private struct Failed: Error {
        let code: CURLcode
    }

    init() {
        Self.globalInit
        guard let handle = curl_easy_init() else {
            fatalError("curl_easy_init failed: libcurl could not allocate a handle")
        }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Performs `request`, blocking this thread until it completes, fails or is cancelled.
    func perform(_ request: HTTPRequest, cancelled: CancellationFlag) -> Result<HTTPResponse, HTTPError> {
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        let collector = ResponseCollector(maxBodyBytes: request.maxResponseBytes, onBody: request.onBody)
        let headers = CurlHeaderList(request.headers.map { "\($0.name): \($0.value)" } + ["Expect:"])
        let body = request.body ?? Data()
        do {
            try body.withUnsafeBytes { bytes in
                try withExtendedLifetime((collector, cancelled, headers)) {
                    try configure(request, body: bytes, headers: headers, collector: collector, cancelled: cancelled)
                    try check(curl_easy_perform(handle))
                }
            }
        } catch let failed as Failed {
            return .failure(error(for: failed.code))
        } catch {
            return .failure(HTTPError(code: .other, message: String(describing: error)))
        }
        var status = 0
        _ = sb_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, headers: collector.headers, body: collector.body))
    }

    private func configure(
        _ request: HTTPRequest, body: UnsafeRawBufferPointer, headers: CurlHeaderList, collector: ResponseCollector,
        cancelled: CancellationFlag
    ) throws {
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
        try check(sb_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
        try check(sb_curl_setopt_progress_callback(handle, CancellationFlag.progressCallback))
        try check(sb_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, Unmanaged.passUnretained(cancelled).toOpaque()))
        switch request.method {
        case .post, .put, .patch:
            try check(sb_curl_setopt_long(handle, CURLOPT_POST, 1))
            if request.method != .post {
                try check(sb_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method.rawValue))
            }
            try check(sb_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count))
            try check(
                sb_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: body.baseAddress)))
        case .get:
            try check(sb_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        }
    }

    /// The one check every libcurl return code goes through.
    /// A timeout as libcurl's `_MS` options take it: whole milliseconds, rounded toward zero.
    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    private func check(_ code: CURLcode) throws {
        if code != CURLE_OK {
            throw Failed(code: code)
        }
    }

    private func error(for code: CURLcode) -> HTTPError {
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
extension CurlEasy: Sendable {}
