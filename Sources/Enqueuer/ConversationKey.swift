import Queue

/// Conversation keys: provider, workspace, conversation and thread, each escaped so no two differ only
/// in where the separators fall.
enum ConversationKey {
    static func make(provider: Provider, workspace: String?, conversation: String, thread: String?) -> String {
        ([provider.rawValue, workspace ?? "-", conversation] + (thread.map { [$0] } ?? []))
            .map(escape)
            .joined(separator: "/")
    }

    private static func escape(_ part: String) -> String {
        guard part.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "/") }) else { return part }
        var escaped = ""
        for character in part.unicodeScalars {
            switch character {
            case "%": escaped += "%25"
            case "/": escaped += "%2F"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}
