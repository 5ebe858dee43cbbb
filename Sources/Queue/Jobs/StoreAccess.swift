/// What a store may do to its database file.
public enum StoreAccess: Sendable {
    /// Create the file when it does not exist, and migrate it: for commands that add work.
    case create
    /// Open an existing file, migrating it if needed: for commands that change jobs already there.
    case existing
    /// Open an existing, current file and never write to it: for commands that only look. An empty or
    /// outdated database is refused rather than migrated.
    case readOnly
}
