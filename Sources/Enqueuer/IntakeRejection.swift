/// Why a payload was refused: which provider, which field, what is wrong with it. It never quotes the
/// field's value, which may be a user's text or id.
public struct IntakeRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public var provider: Provider
    /// The dotted path of the field (`message.chat.id`), or nil for the body as a whole.
    public var field: String?
    public var problem: String
    /// The body could not be read at all (not JSON, or too large), as opposed to a field being wrong.
    public var unreadable = false

    public var description: String {
        "\(provider.rawValue): " + (field.map { "\($0) \(problem)" } ?? problem)
    }
}
