import Foundation
import JSON

/// A JSON Web Key Set (RFC 7517 §5) as identity providers publish theirs: the signing keys Switchboard
/// can use (RSA of at least 2048 bits, EC on P-256), each with its `kid`.
public enum JSONWebKeySet {
    /// The usable keys of a key set document. A key for encryption (`use` other than `sig`), of another
    /// type or curve, or with an `alg` other than its type's, is left out; a key set that leaves no key is
    /// refused.
    /// - Throws: `KeyError` saying what is wrong with the document.
    public static func keys(_ document: Data) throws(KeyError) -> [VerificationKey] {
        let value: JSONValue
        do {
            value = try JSONParser.parse(document)
        } catch {
            throw KeyError("is not JSON: \(error)")
        }
        guard let entries = value.objectValue?["keys"]?.arrayValue else {
            throw KeyError("is not a JSON Web Key Set (an object with a \"keys\" array)")
        }
        let keys = entries.compactMap { $0.objectValue.flatMap(key) }
        guard !keys.isEmpty else {
            throw KeyError("holds no RSA (2048 bits or more) or P-256 signing key")
        }
        return keys
    }

    private static func key(_ entry: JSONObject) -> VerificationKey? {
        if let use = entry["use"], use.stringValue != "sig" { return nil }
        let id = entry["kid"]?.stringValue
        let bytes = { (name: String) in entry[name]?.stringValue.flatMap { Base64URL.decode(Substring($0)) } }
        let key: PublicKey?
        switch entry["kty"]?.stringValue {
        case "RSA":
            key = bytes("n").flatMap { n in bytes("e").flatMap { e in try? PublicKey(rsaModulus: n, exponent: e) } }
        case "EC" where entry["crv"]?.stringValue == "P-256":
            key = bytes("x").flatMap { x in bytes("y").flatMap { y in try? PublicKey(p256X: x, y: y) } }
        default:
            key = nil
        }
        guard let key else { return nil }
        if let alg = entry["alg"], alg.stringValue != key.algorithm.rawValue { return nil }
        return .publicKey(key, id: id)
    }
}
