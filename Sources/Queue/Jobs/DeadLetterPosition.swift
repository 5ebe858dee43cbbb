/// Where a page of dead letters ended: the last one's death time and id, the key they are listed in.
///
/// The next page starts after this key, not after a count of rows, so dead letters redriven or purged
/// from an earlier page move nothing on the next one.
public struct DeadLetterPosition: Hashable, Sendable {
    public var finishedAt: Timestamp
    public var id: Int64

    public init(finishedAt: Timestamp, id: Int64) {
        self.finishedAt = finishedAt
        self.id = id
    }

    /// The position of `record`; nil for a job that has not finished.
    public init?(_ record: JobRecord) {
        guard let finishedAt = record.finishedAt else { return nil }
        self.init(finishedAt: finishedAt, id: record.id)
    }
}
