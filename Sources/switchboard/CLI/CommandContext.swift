import ChatStore
import Foundation
import Queue
import Workers

/// What a running command needs from the outside world.
struct CommandContext {
    let global: GlobalOptions
    let output: Output

    /// The configuration file `--config` names (without one, only the environment's settings), knowing the
    /// database's password, so that its redactor masks it and `--exec` commands are not given it.
    /// - Throws: `ConfigurationError` naming the file and the key; `CommandFailure` for a password file.
    func configuration() throws -> ChatConfiguration {
        var configuration = try ChatConfiguration.load(file: global.configFile, environment: global.environment)
        let database = try DatabaseChoice(global, configuration: configuration)
        configuration.databasePasswords = database.passwordForms
        // Fetched files are kept beside a SQLite database unless the configuration says where.
        if configuration.attachments.directory == nil, configuration.attachments.s3 == nil,
            case .sqlite(let path) = database.location
        {
            configuration.attachments.directory = path + "-attachments"
        }
        return configuration
    }

    /// The database this command works on, found as every command finds it (see `DatabaseChoice`).
    /// - Parameter configuration: the configuration, when the command has read it already.
    func database(configuration: ChatConfiguration? = nil) throws -> DatabaseChoice {
        let configuration =
            try configuration
            ?? (global.configFile == nil
                ? nil : ChatConfiguration.load(file: global.configFile, environment: global.environment))
        return try DatabaseChoice(global, configuration: configuration)
    }

    /// Opens the store. Commands that change existing jobs pass `.existing`, so a mistyped path fails
    /// instead of creating an empty database; commands that only look pass `.readOnly`, and write nothing.
    /// A new SQLite file is announced on stderr, with its absolute path, when nothing named it (or when
    /// `announcingCreation`, as `migrate` asks): a database created where no worker looks is found at once.
    /// - Parameter configuration: the configuration, when the command has read it already.
    func openStore(
        _ access: StoreAccess, configuration: ChatConfiguration? = nil, announcingCreation: Bool = false,
        configure: (inout StoreOptions) -> Void = { _ in }
    ) async throws -> JobStore {
        let database = try self.database(configuration: configuration)
        var options = storeOptions(access)
        options.postgresListenURL = database.listenLocation?.connectionText
        configure(&options)
        let creates = database.creates(access)
        let store: JobStore
        do {
            store = try await SwitchboardDatabase.open(database.location, options: options)
        } catch let error as QueueError where error.code == .databaseMissing && database.source == .implicitDefault {
            throw CommandFailure(
                exitCode: .unavailable,
                message: "\(error.message) (no --db, $SWITCHBOARD_DB or --config file's \"database\" names one)",
                code: error.code.description)
        }
        if creates && (announcingCreation || database.source == .implicitDefault) {
            let unnamed = database.source == .implicitDefault ? " (no --db, $SWITCHBOARD_DB or --config names one)" : ""
            output.notice("created a new database at \(database.name)\(unnamed)", code: "created_database")
        }
        return store
    }

    /// Opens the store for a command that runs until stopped (`work`, `serve`, `poll`), waiting for a
    /// PostgreSQL server that cannot be reached yet, as a worker waits for one that goes away while it
    /// runs: attempts 0.5 s apart, doubling to 10 s, each failure told to `waiting`, until the server
    /// answers or a stop signal comes (then nil). Settings the server refuses are not waited on.
    func openStoreWaiting(
        _ access: StoreAccess, configuration: ChatConfiguration, signals: StopSignals, log: ProcessLog,
        configure: @escaping @Sendable (inout StoreOptions) -> Void = { _ in }
    ) async throws -> JobStore? {
        let attempts = Task { () async throws -> JobStore? in
            var delay = Duration.milliseconds(500)
            for attempt in 1... {
                do {
                    return try await openStore(access, configuration: configuration, configure: configure)
                } catch let error as QueueError where error.code == .unavailable {
                    // One line: libpq's message runs over several ("Is the server running locally...").
                    let reason = ([error.message] + (error.cause.map { ["\($0)"] } ?? [])).joined(separator: ": ")
                    let lines = reason.split(whereSeparator: \.isNewline).map {
                        $0.trimmingCharacters(in: .whitespaces)
                    }
                    log.waitingForDatabase(attempt: attempt, retryIn: delay, reason: lines.joined(separator: " "))
                    SystemdNotifier().waiting(status: "waiting for the database (attempt \(attempt))", next: delay)
                }
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    return nil
                }
                delay = min(delay * 2, .seconds(10))
            }
            return nil
        }
        signals.handle { _ in attempts.cancel() }
        defer { signals.handle(nil) }
        let store = try await attempts.value
        return signals.received ? nil : store
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
