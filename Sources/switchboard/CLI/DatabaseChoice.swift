import Foundation
import Queue
import Workers

/// The database a command works on, found the same way by every command: `--db`, else
/// `$SWITCHBOARD_DB`, else the `database` of the configuration file given with `--config`, else
/// `switchboard.db` in the working directory. On PostgreSQL, a password kept out of the URL is added from
/// `--db-password-file`, else `$SWITCHBOARD_DB_PASSWORD_FILE`, else the configuration's
/// `database_password_file`; without one, libpq finds it as it always does (the URL, `~/.pgpass`). A
/// direct connection for listening, for a database reached through a connection pooler, comes from
/// `--db-listen`, else `$SWITCHBOARD_DB_LISTEN`, else the configuration's `database_listen`.
struct DatabaseChoice {
    enum Source: Equatable {
        case flag
        case environment
        case configuration
        /// Nothing named a database: `./switchboard.db`, which a command creating it says it did.
        case implicitDefault
    }

    /// The database, with the password from a password file added to its URL.
    private(set) var location: StoreLocation
    let source: Source
    /// On PostgreSQL, where the store listens for notifications when not at `location`: a direct
    /// connection to the same database, with the password file's password added when it gives none.
    private(set) var listenLocation: StoreLocation?

    /// - Throws: `CommandFailure` (exit 78) when a password file cannot be read, is empty, is given for a
    ///   SQLite file with `--db-password-file`, or is given beside a URL that holds a password already; when
    ///   a listen connection is not a PostgreSQL URL, or is given with `--db-listen` for a SQLite file.
    init(_ global: GlobalOptions, configuration: ChatConfiguration?) throws {
        if let database = global.database {
            (location, source) = (database, global.databaseFromFlag ? .flag : .environment)
        } else if let database = configuration?.database {
            (location, source) = (StoreLocation(database), .configuration)
        } else {
            let path = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
                .appendingPathComponent("switchboard.db").path
            (location, source) = (.sqlite(path: path), .implicitDefault)
        }
        listenLocation = try Self.listenLocation(global, configuration: configuration, for: location)
        guard let password = try Self.passwordFromFile(global, configuration: configuration, for: location) else {
            return
        }
        location = location.addingPassword(password)
        if let listen = listenLocation, listen.passwordForms.isEmpty {
            listenLocation = listen.addingPassword(password)
        }
    }

    /// Every form of every password the database's URLs hold, for masking.
    var passwordForms: [String] {
        location.passwordForms + (listenLocation?.passwordForms ?? [])
    }

    /// The listen connection's URL, for a PostgreSQL `database`; nil when none is given, or for SQLite when
    /// it comes from the environment or a configuration meant for another database.
    private static func listenLocation(
        _ global: GlobalOptions, configuration: ChatConfiguration?, for database: StoreLocation
    ) throws -> StoreLocation? {
        let given =
            global.databaseListen.map { ($0, "--db-listen") }
            ?? global.environment[SwitchboardEnvironment.databaseListen].flatMap {
                $0.isEmpty ? nil : ($0, "$SWITCHBOARD_DB_LISTEN")
            }
            ?? configuration?.databaseListen.map { ($0, "database_listen") }
        guard let (text, origin) = given else { return nil }
        let listen = StoreLocation(text)
        guard case .postgres = listen else {
            throw CommandFailure(
                exitCode: .configuration,
                message: "\(origin) must be a postgres:// or postgresql:// URL, a direct connection to the database",
                code: "misconfigured")
        }
        guard case .postgres = database else {
            guard origin != "--db-listen" else {
                throw CommandFailure(
                    exitCode: .configuration, message: "--db-listen is for a PostgreSQL database, not \(database)",
                    code: "misconfigured")
            }
            return nil
        }
        return listen
    }

    /// The password a password file gives for a PostgreSQL `database`; nil when no file is given.
    private static func passwordFromFile(
        _ global: GlobalOptions, configuration: ChatConfiguration?, for location: StoreLocation
    ) throws -> String? {
        let passwordFile =
            global.databasePasswordFile.map { ($0, "--db-password-file") }
            ?? global.environment[SwitchboardEnvironment.databasePasswordFile].flatMap {
                $0.isEmpty ? nil : ($0, "$SWITCHBOARD_DB_PASSWORD_FILE")
            }
            ?? configuration?.databasePasswordFile.map { ($0, "database_password_file") }
        guard let (file, origin) = passwordFile else { return nil }
        guard case .postgres = location else {
            // A password file meant for another database (the environment's, the configuration's) is not
            // this SQLite file's business; one given on this command line is a mistake.
            if origin == "--db-password-file" {
                throw CommandFailure(
                    exitCode: .configuration,
                    message: "--db-password-file is for a PostgreSQL database, not \(location)",
                    code: "misconfigured")
            }
            return nil
        }
        guard location.passwordForms.isEmpty else {
            throw CommandFailure(
                exitCode: .configuration,
                message: "the database password is given twice, in the URL and in \(file) (\(origin)): give it once",
                code: "misconfigured")
        }
        return try password(in: file, origin: origin)
    }

    /// A password file's text without its final line break.
    private static func password(in file: String, origin: String) throws -> String {
        func unreadable(_ reason: String) -> CommandFailure {
            CommandFailure(
                exitCode: .configuration,
                message: "cannot read the database password file \(file) (\(origin)): \(reason)",
                code: "misconfigured")
        }
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw unreadable(String(cString: strerror(errno))) }
        let data: Data
        do {
            data = try FileHandle(fileDescriptor: descriptor, closeOnDealloc: true).readToEnd() ?? Data()
        } catch {
            throw unreadable("\(error)")
        }
        var text = String(decoding: data, as: UTF8.self)
        while text.last?.isNewline == true {
            text.removeLast()
        }
        guard !text.isEmpty, !text.contains(where: \.isNewline) else {
            throw CommandFailure(
                exitCode: .configuration,
                message: "the database password file \(file) (\(origin)) must hold the password on one line",
                code: "misconfigured")
        }
        return text
    }

    /// For messages: a SQLite file's absolute path, or the URL with its password masked.
    var name: String {
        guard case .sqlite(let path) = location else { return location.description }
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Whether opening the database with `access` makes a new SQLite file.
    func creates(_ access: StoreAccess) -> Bool {
        guard access == .create, case .sqlite(let path) = location else { return false }
        return !FileManager.default.fileExists(atPath: path)
    }
}
