import Foundation
import Queue

/// One webhook delivery: the provider it came from and its body, unparsed.
public struct Delivery: Sendable {
    public var provider: Provider
    public var body: Data

    public init(provider: Provider, body: Data) {
        self.provider = provider
        self.body = body
    }
}
