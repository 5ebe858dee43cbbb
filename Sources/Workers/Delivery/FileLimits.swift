import Enqueuer

/// What a provider takes of the files a bot sends: how large each may be, which kinds it shows as
/// themselves, and how long a caption sent with one may be.
public struct FileLimits: Sendable {
    /// The largest file the provider takes at all (sent as a file).
    public var maxBytes: Int
    /// Kinds the provider shows as themselves (a photo, a voice note), each with its own largest size; a
    /// file of another kind, or larger than its kind's limit, goes as a plain file.
    public var kinds: [InboundAttachment.Kind: Int]
    /// The longest caption sent with a file, in one message; nil when a caption goes as a text message
    /// just before the file.
    public var caption: TextLimit?
    /// The only files taken, where the provider takes only images of some types (WeCom's AI bot
    /// connection: JPEG and PNG); nil takes any.
    public var onlyImages: Set<String>?

    public init(maxBytes: Int, kinds: [InboundAttachment.Kind: Int] = [:], caption: TextLimit? = nil) {
        self.maxBytes = maxBytes
        self.kinds = kinds
        self.caption = caption
    }

    /// Only images of `types`, up to `maxBytes`, each with `caption` where given.
    public static func images(_ types: Set<String>, maxBytes: Int, caption: TextLimit? = nil) -> FileLimits {
        var limits = FileLimits(maxBytes: maxBytes, kinds: [.image: maxBytes], caption: caption)
        limits.onlyImages = types
        return limits
    }

    /// Why `provider` would not take `file`; nil when it would (as `sendable` has it).
    func refusal(of file: OutboundFile, by provider: Provider) -> String? {
        if let types = onlyImages, file.kind != .image || !types.contains(file.contentType) {
            return "\(provider.rawValue) takes only images here (\(types.sorted().joined(separator: ", ")))"
        }
        guard file.size <= maxBytes else {
            // Sizes that read the same rounded are told in bytes.
            let (size, most) =
                file.size.readableBytes == maxBytes.readableBytes
                ? ("\(file.size) bytes", "\(maxBytes) bytes") : (file.size.readableBytes, maxBytes.readableBytes)
            return "\(size) is more than \(provider.rawValue) takes, \(most)"
        }
        return nil
    }

    /// `file` as the provider is sent it: as its own kind where the provider shows that kind and it fits,
    /// else as a plain file.
    func sendable(_ file: OutboundFile) -> OutboundFile {
        var sent = file
        if file.kind != .file, (kinds[file.kind] ?? -1) < file.size {
            sent.kind = .file
        }
        return sent
    }

    /// Whether `caption` goes in the file's own message.
    func carries(_ caption: String) -> Bool {
        guard let limit = caption.isEmpty ? nil : self.caption else { return caption.isEmpty }
        return caption.reduce(0) { $0 + limit.length(of: $1) } <= limit.maximum
    }
}

extension Int {
    /// A size in bytes as a person reads it: `12.5 MB`, `900 KB`, `17 bytes` (decimal units, as the
    /// providers state their limits).
    var readableBytes: String {
        if self < 1_000 { return "\(self) bytes" }
        if self < 1_000_000 { return "\(Int((Double(self) / 1_000).rounded())) KB" }
        let tenths = Int((Double(self) / 100_000).rounded())
        return tenths % 10 == 0 ? "\(tenths / 10) MB" : "\(tenths / 10).\(tenths % 10) MB"
    }
}
