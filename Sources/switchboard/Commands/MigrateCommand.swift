import Queue

/// `switchboard migrate`: brings a database's schema up to this build's version, creating a new SQLite
/// file, or the schema in a PostgreSQL database that has none yet.
struct MigrateCommand: Command {
    static let name = "migrate"
    static let summary = "Create a database, or upgrade one to this build's schema (writing commands do it too)"
    static let options: [OptionSpec] = []
    static let examples = [
        "switchboard migrate --db /var/lib/switchboard/switchboard.db",
        "switchboard migrate --db postgres://switchboard@db.internal/switchboard",
    ]

    init(_ arguments: Arguments) throws {
        try arguments.expectNoPositionals()
    }

    func run(_ context: CommandContext) async throws {
        // Preparing a new database is what migrate is for: a new SQLite file is created, and said so on
        // stderr, so a mistyped path is seen at once; on PostgreSQL the Switchboard schema is created in the
        // existing database (a mistyped name fails to connect).
        let store = try await context.openStore(.create, announcingCreation: true)
        let version = try await store.schemaVersion()
        context.output.result("\(store.path) is at schema version \(version)", json: ["schema_version": version])
    }
}
