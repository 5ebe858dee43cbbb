/// A module's tables beside the job queue's, for a store to create and migrate with its own: the
/// migrations are numbered in the database's one sequence (the job tables are version 1).
package struct SchemaPart: Sendable {
    package var name: String
    package var sqlite: [Migration]
    /// The same tables on PostgreSQL, in the `switchboard` namespace, under the same version numbers.
    package var postgres: [Migration]

    package init(name: String, sqlite: [Migration], postgres: [Migration]) {
        self.name = name
        self.sqlite = sqlite
        self.postgres = postgres
    }
}
