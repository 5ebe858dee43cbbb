import Queue

extension SocketSend {
    /// The columns `init(stream:_:)` reads, in its order.
    static let columns = "id, frame"

    /// The frame a row of `socket_sends` records for `stream`.
    init(stream: String, _ row: some StoredRow) {
        self.init(id: row.int64(0), stream: stream, frame: row.text(1))
    }
}
