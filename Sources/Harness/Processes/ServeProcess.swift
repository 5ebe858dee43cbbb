import Foundation
import JSON

/// A `switchboard serve` process, once it listens: the tests' and the serve benchmark's receiver.
package struct ServeProcess: Sendable {
    package let child: SwitchboardChild
    package let port: Int
    package var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Waits for `child`, started as `switchboard --json serve ...`, to say where it listens.
    package init(_ child: SwitchboardChild) async throws {
        self.child = child
        let line = try await child.expectLine("where serve listens")
        guard case .object(let object) = try? JSONParser.parse(Data(line.utf8)),
            case .integer(let port)? = object["port"]
        else {
            throw HarnessFailure("serve did not say where it listens (it printed \(line.prefix(200)))")
        }
        self.port = Int(port)
    }
}
