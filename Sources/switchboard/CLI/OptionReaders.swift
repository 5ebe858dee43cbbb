import ChatStore
import Enqueuer
import Foundation
import Queue

/// A provider option, checked against the known providers.
func providerOption(_ arguments: Arguments, name: String = "provider") throws -> Provider {
    guard let value = arguments.string(name) else { throw CommandFailure.usage("--\(name) is required") }
    guard let provider = Provider(rawValue: value) else {
        throw CommandFailure.usage(
            "--\(name) must be one of \(Provider.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(value)\""
        )
    }
    return provider
}
/// The optional `--type server|user`.
func linkTypeOption(_ arguments: Arguments) throws -> LinkType? {
    try arguments.string("type").map { value in
        guard let type = LinkType(rawValue: value) else {
            throw CommandFailure.usage("--type must be server or user, got \"\(value)\"")
        }
        return type
    }
}
