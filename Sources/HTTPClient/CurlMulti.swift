import CCurl

/// One libcurl multi handle (`CURLM*`): many transfers driven by one thread, sharing one connection
/// cache, so a keep-alive connection to a provider serves whichever request goes there next.
///
/// Every call but `wakeUp` belongs to the one thread that drives the transfers.
final class CurlMulti: @unchecked Sendable {
    // @unchecked Sendable: only `wakeUp` (curl_multi_wakeup, which libcurl allows from any thread) is
    // called off the driving thread.
    private let handle: UnsafeMutableRawPointer

    init() {
        Self.globalInit
        guard let handle = curl_multi_init() else {
            fatalError("curl_multi_init failed: libcurl could not allocate a handle")
        }
        self.handle = handle
    }

    deinit {
        curl_multi_cleanup(handle)
    }

    private static let globalInit: Void = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }()

    /// Starts driving `easy` with the others.
    func add(_ easy: UnsafeMutableRawPointer) -> Bool {
        curl_multi_add_handle(handle, easy) == CURLM_OK
    }

    /// Stops driving `easy` (it ended).
    func remove(_ easy: UnsafeMutableRawPointer) {
        curl_multi_remove_handle(handle, easy)
    }

    /// Moves every transfer as far as it can go without waiting.
    func perform() {
        var running: Int32 = 0
        curl_multi_perform(handle, &running)
    }

    /// The transfers that have ended since the last call, with libcurl's result for each.
    func ended() -> [(easy: UnsafeMutableRawPointer, result: CURLcode)] {
        var ended: [(easy: UnsafeMutableRawPointer, result: CURLcode)] = []
        var queued: Int32 = 0
        while let message = curl_multi_info_read(handle, &queued) {
            if message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle {
                ended.append((easy, message.pointee.data.result))
            }
        }
        return ended
    }

    /// Waits until a transfer's socket is ready, a timer of libcurl's falls due, `wakeUp` is called or
    /// `milliseconds` pass, whichever comes first.
    func wait(milliseconds: Int32) {
        curl_multi_poll(handle, nil, 0, milliseconds, nil)
    }

    /// Ends a `wait` now, from any thread.
    func wakeUp() {
        curl_multi_wakeup(handle)
    }
}
