import JSON
import Queue

/// Turns one provider's payload (a webhook's body, an update of a long poll) into an `InboundEvent`.
package protocol ProviderNormaliser: Sendable {
    func normalise(_ payload: JSONFields, receivedAt: Timestamp) throws(JSONFieldError) -> Normalised
}
