/// A module's tables beside the job queue's, for a store to create and migrate with its own: the
/// migrations are numbered in the database's one sequence (the job tables are version 1).
package struct SchemaPart: Sendable {
    package var name: String
    package var sqlite: [Migration]

    package init(name: String, sqlite: [Migration]) {
        self.name = name
        self.sqlite = sqlite
    }
}
