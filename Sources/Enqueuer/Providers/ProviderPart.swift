/// A part of a provider's home that not every provider has (a webhook check, a typing indicator, a long
/// poll): the part itself, or why the provider has none.
///
/// A missing part is stated with its reason rather than left out, so a provider cannot lack one by
/// oversight: the test that walks every provider reads each part or its reason.
package enum ProviderPart<Part: Sendable>: Sendable {
    case present(Part)
    /// The provider has no such part, for this reason (said to the reader, never to a user).
    case absent(reason: String)

    /// The part, or nil when the provider has none.
    package var part: Part? {
        if case .present(let part) = self { part } else { nil }
    }
}
