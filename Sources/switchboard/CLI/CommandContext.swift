import ChatStore
import Foundation
import Queue

/// What a running command needs from the outside world.
struct CommandContext {
    let global: GlobalOptions
    let output: Output

    /// Opens the store. Commands that change existing jobs pass `.existing`, so a mistyped path fails
    /// instead of creating an empty database; commands that only look pass `.readOnly`, and write nothing.
    /// - Parameter location: the database when the global options name none (a configuration's), else
    ///   the default.
    func openStore(
        _ access: StoreAccess, orElse location: StoreLocation? = nil, configure: (inout StoreOptions) -> Void = { _ in }
    ) async throws -> JobStore {
        var options = storeOptions(access)
        configure(&options)
        return try await SwitchboardDatabase.open(
            global.database ?? location ?? GlobalOptions.defaultDatabase, options: options)
    }

    /// The store options the global options ask for, with `access`.
    func storeOptions(_ access: StoreAccess) -> StoreOptions {
        var options = StoreOptions()
        options.durability = global.durability
        options.lockTimeout = global.lockTimeout
        options.access = access
        return options
    }
}
