import Queue

/// A Switchboard database: the job queue and, beside it, the chat tables.
public enum SwitchboardDatabase {
    /// Opens the database at `location` with the job tables and the chat tables, creating and migrating
    /// both as `options.access` allows. Every program that shares a Switchboard database opens it this way.
    public static func open(_ location: StoreLocation, options: StoreOptions = StoreOptions()) async throws
        -> JobStore
    {
        var options = options
        options.schemaParts.append(ChatSchema.part)
        return try await JobStore.open(location, options: options)
    }
}
