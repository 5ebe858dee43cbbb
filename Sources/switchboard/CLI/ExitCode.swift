import CSQLite
import Enqueuer
import Queue

/// The process exit statuses of `switchboard`, from sysexits.h.
enum ExitCode: Int32 {
    case success = 0
    /// A flag or argument is wrong (EX_USAGE).
    case usage = 64
    /// The input data is wrong: malformed JSON, a missing field, an unknown id (EX_DATAERR).
    case dataError = 65
    /// The database is missing or from a newer Switchboard (EX_UNAVAILABLE).
    case unavailable = 69
    /// A bug or an unexpected failure (EX_SOFTWARE).
    case software = 70
    /// An output file cannot be created, or exists and must not be overwritten (EX_CANTCREAT).
    case cannotCreate = 73
    /// The database file cannot be opened, read or written, or is not a Switchboard database (EX_IOERR).
    case ioError = 74
    /// Other processes kept the database locked; trying again later may work (EX_TEMPFAIL).
    case tempFail = 75
}

/// A command that cannot go on: the message for stderr and the exit status.
struct CommandFailure: Error {
    let exitCode: ExitCode
    let message: String

    init(exitCode: ExitCode, message: String) {
        self.exitCode = exitCode
        self.message = message
    }

    static func usage(_ message: String) -> CommandFailure {
        CommandFailure(exitCode: .usage, message: message)
    }

    static func data(_ message: String) -> CommandFailure {
        CommandFailure(exitCode: .dataError, message: message)
    }

    /// Maps any error from the libraries to the exit status an operator's script can act on.
    init(_ error: any Error) {
        switch error {
        case let failure as CommandFailure:
            self = failure
        case let error as QueueError:
            let exitCode: ExitCode = switch error.code {
            case .invalidArgument, .notFound: .dataError
            case .databaseMissing, .schemaTooNew, .schemaOutdated: .unavailable
            case .foreignDatabase: .ioError
            case .contended: .tempFail
            case .leaseLost, .internal: .software
            }
            self.init(exitCode: exitCode, message: error.message)
        case let error as LinkError:
            self.init(exitCode: .dataError, message: "\(error.message) (\(error.httpStatus) \(error.code.rawValue))")
        case let error as IntakeRejection:
            self.init(exitCode: .dataError, message: error.description)
        case let error as SQLiteError where error.isStorageFailure:
            self.init(exitCode: .ioError, message: "cannot use the database: \(error.message)")
        case let error as StorageError:
            self.init(exitCode: .ioError, message: "cannot use the database: \(error)")
        default:
            self.init(exitCode: .software, message: "internal error: \(error)")
        }
    }
}
