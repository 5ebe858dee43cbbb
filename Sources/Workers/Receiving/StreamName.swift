import ChatStore
import Foundation

/// Names a bot's stream (its hold and its position in the database) from a credential without revealing
/// it: the credential's public part where it has one (`publicPart`), else a digest of the whole.
enum StreamName {
    static func of(_ provider: String, credential: String, publicPart: String?) -> String {
        if let publicPart, !publicPart.isEmpty, publicPart.utf8.count <= 64,
            publicPart.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        {
            return "\(provider):\(publicPart)"
        }
        let digest = (try? SecretToken.digest(credential)).map { SecretToken.base64URL($0.prefix(12)) } ?? "unnamed"
        return "\(provider):\(digest)"
    }
}
