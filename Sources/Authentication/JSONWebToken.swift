import Foundation
import JSON

/// A JSON Web Token in compact form (RFC 7519), read but not yet trusted: its header's algorithm and key
/// id, its claims, and what its signature covers.
struct JSONWebToken {
    /// The longest token read: far more than any identity provider's, far less than a request may carry.
    static let maxLength = 16_384

    let algorithm: JWTAlgorithm
    let keyID: String?
    let claims: JSONObject
    /// The header and payload as sent, joined by a dot: what the signature signs.
    let signingInput: Data
    let signature: Data

    /// Reads `token`'s three parts.
    /// - Throws: `TokenRefusal.malformed` for anything but three base64url parts whose first two are JSON
    ///   objects without repeated members; `.algorithm` for `none` and every algorithm not verified here.
    init(_ token: String) throws(TokenRefusal) {
        guard token.utf8.count <= Self.maxLength else { throw .malformed("longer than \(Self.maxLength) bytes") }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("not three dot-separated parts") }
        let header = try Self.object(parts[0], "header")
        guard let name = header["alg"]?.stringValue else { throw .malformed("its header has no alg") }
        guard let algorithm = JWTAlgorithm(rawValue: name) else { throw .algorithm(name) }
        if header["crit"] != nil { throw .malformed("its header names critical extensions, none understood here") }
        if let keyID = header["kid"], keyID.stringValue == nil { throw .malformed("its header's kid is not a string") }
        guard let signature = Base64URL.decode(parts[2]) else { throw .malformed("its signature is not base64url") }
        self.algorithm = algorithm
        self.keyID = header["kid"]?.stringValue
        self.claims = try Self.object(parts[1], "payload")
        self.signingInput = Data(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        self.signature = signature
    }

    private static func object(_ part: Substring, _ name: String) throws(TokenRefusal) -> JSONObject {
        guard let bytes = Base64URL.decode(part) else { throw .malformed("its \(name) is not base64url") }
        guard let object = (try? JSONParser.parse(bytes))?.objectValue else {
            throw .malformed("its \(name) is not a JSON object")
        }
        // A repeated member could mean one thing to the check and another to whoever reads it next.
        guard Set(object.members.map(\.key)).count == object.members.count else {
            throw .malformed("its \(name) repeats a member")
        }
        return object
    }
}
