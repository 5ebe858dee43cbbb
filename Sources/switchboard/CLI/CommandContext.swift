import ChatStore
import Foundation
import Queue

/// What a running command needs from the outside world.
struct CommandContext {
    let global: GlobalOptions
    let output: Output

    /// Opens the store. Commands that change existing jobs pass `.existing`, so a mistyped path fails
    /// instead of creating an empty database; commands that only look pass `.readOnly`, and write nothing.
    /// - Parameter path: the database, when not the one the global options name.
    func openStore(
        _ access: StoreAccess, at path: String? = nil, configure: (inout StoreOptions) -> Void = { _ in }
    ) async throws -> JobStore {
        var options = StoreOptions()
        options.durability = global.durability
        options.lockTimeout = global.lockTimeout
        options.access = access
        configure(&options)
        return try await SwitchboardDatabase.open(.sqlite(path: path ?? global.databasePath), options: options)
    }
}
