import Queue

/// `switchboard migrate`: brings an existing database's schema up to this build's version (on PostgreSQL,
/// creating it in a database that has none yet).
struct MigrateCommand: Command {
    static let name = "migrate"
    static let summary = "Upgrade an existing database to this build's schema (writing commands do it too)"
    static let options: [OptionSpec] = []
    static let examples = [
        "switchboard migrate --db /var/lib/switchboard/switchboard.db",
        "switchboard migrate --db postgres://switchboard@db.internal/switchboard",
    ]

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
    }

    func run(_ context: CommandContext) async throws {
        // A mistyped SQLite path must not become a new file; a PostgreSQL database already exists (a mistyped
        // name fails to connect), so migrating it creates the Switchboard schema when it has none yet.
        let isPostgres = if case .postgres = context.global.database { true } else { false }
        let store = try await context.openStore(isPostgres ? .create : .existing)
        let version = try await store.schemaVersion()
        context.output.result("\(store.path) is at schema version \(version)", json: ["schema_version": version])
    }
}
