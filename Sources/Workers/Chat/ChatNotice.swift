/// Something a chat worker did that its operator should hear of, for the log; never a message's text.
public enum ChatNotice: Sendable, Equatable {
    /// A turn's answer was longer than `max_answer_characters`: the chat was sent its first `kept`
    /// characters and a marker, and `omitted` characters were left out.
    case answerCut(job: Int64, kept: Int, omitted: Int)
    /// A file of a turn's answer could not be kept in the attachments store (a full disk, a refusing
    /// bucket), for `reason`: the chat was told it could not be sent.
    case answerFileNotKept(job: Int64, reason: String)
}
