import Foundation
import JSON
import Queue

/// Turns raw webhook bodies into provider-neutral events, refusing what is malformed.
public enum PayloadNormaliser {
    /// Bodies larger than this are refused unread.
    public static let maxBodyBytes = 1 << 20

    /// Parses and normalises one body. Any bytes at all end in a result or an `IntakeRejection`.
    public static func normalise(provider: Provider, body: Data, receivedAt: Timestamp) throws(IntakeRejection)
        -> Normalised
    {
        guard body.count <= maxBodyBytes else {
            throw IntakeRejection(
                provider: provider, field: nil, problem: "body is larger than 1 MiB", unreadable: true)
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(body)
        } catch {
            throw IntakeRejection(
                provider: provider, field: nil, problem: "body is not valid JSON (\(error))", unreadable: true)
        }
        do {
            return try provider.inbound.normaliser.normalise(JSONFields(root: root), receivedAt: receivedAt)
        } catch {
            throw IntakeRejection(
                provider: provider, field: error.path, problem: (error.path == nil ? "body " : "") + error.problem)
        }
    }
}
