import Foundation

/// What a turn may fetch of the files its messages carry, and where the files are kept
/// (`attachments` in the configuration file).
public struct AttachmentSettings: Sendable {
    /// The directory the files are kept in, by their SHA-256; nil keeps them beside a SQLite database
    /// (`DATABASE-attachments`), and keeps none for PostgreSQL (the agent is told the file was not fetched).
    /// Not used when `s3` is set.
    public var directory: String?
    /// A bucket of an S3-compatible object store the files are kept in instead of a directory (`s3`), for
    /// a fleet of workers on several machines; nil keeps them in the directory.
    public var s3: ObjectStorageSettings?
    /// The largest file fetched; a larger one is refused while it downloads (`max_file_bytes`). Telegram
    /// serves bots files of up to 20 MB.
    public var maxFileBytes = 20 << 20
    /// The most files fetched for one message (`max_files`); the others are listed as not fetched.
    public var maxFiles = 10
    /// The most bytes fetched for one turn, all its messages together (`max_turn_bytes`).
    public var maxTurnBytes = 50 << 20
    /// How many bytes of a turn's files go to the agent inline, in base64, file by file in order
    /// (`inline_bytes`); the others are listed with their link, digest and size, without their bytes.
    public var inlineBytes = 5 << 20
    /// How long a kept file stays after it was last fetched (`retain`, 30 days); older ones are deleted
    /// by the workers, a bounded batch at a time.
    public var retention = Duration.seconds(30 * 86_400)
    /// Signed links to the kept files, which `serve` answers, given to the agent with every fetched file
    /// (`url_base`, `url_secret`, `url_lifetime`); nil gives none.
    public var links: AttachmentLinks?

    /// The hosts an agent's answer may name files at by URL, besides the agent's own (`answer_hosts`):
    /// a user could ask the agent to "attach" an internal address, so no other host is fetched.
    public var answerHosts: [String] = []

    public init() {}
}
