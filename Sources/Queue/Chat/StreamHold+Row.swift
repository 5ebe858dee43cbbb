import Queue

extension StreamHold {
    /// The columns `init(stream:_:)` reads, in its order.
    static let columns = "holder, token, expires_at"

    /// The hold a row of `stream_holds` records; nil when it was released (its holder is NULL).
    init?(stream: String, _ row: some StoredRow) {
        guard let holder = row.optionalText(0) else { return nil }
        self.init(
            stream: stream, holder: holder, token: row.int64(1),
            expiresAt: Timestamp(millisecondsSince1970: row.int64(2)))
    }
}
