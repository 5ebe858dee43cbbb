import Queue

/// The chat tables, as a part of a Switchboard database's schema.
enum ChatSchema {
    static let part = SchemaPart(
        name: "chat",
        sqlite: [sqlite, sqlitePollCursors, sqliteStreamHolds, sqliteSocketSends, sqliteAPITokens, sqliteServerNames],
        postgres: [
            postgres, postgresPollCursors, postgresStreamHolds, postgresSocketSends, postgresAPITokens,
            postgresServerNames,
        ])
}
