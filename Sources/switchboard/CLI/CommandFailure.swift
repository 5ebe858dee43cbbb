import ChatStore
import Enqueuer
import Queue
import Workers

/// A command that cannot go on: the exit status, a stable code for scripts (`--json` prints it), the
/// HTTP status a web API would answer where one applies (link refusals), and the message for a person.
struct CommandFailure: Error {
    let exitCode: ExitCode
    let code: String
    let httpStatus: Int?
    let message: String

    init(exitCode: ExitCode, message: String, code: String? = nil, httpStatus: Int? = nil) {
        self.exitCode = exitCode
        self.code = code ?? exitCode.errorCode
        self.httpStatus = httpStatus
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
            let exitCode: ExitCode =
                switch error.code {
                case .invalidArgument, .notFound: .dataError
                case .databaseMissing, .schemaTooNew, .schemaOutdated: .unavailable
                case .foreignDatabase, .corrupt: .ioError
                case .contended, .unavailable: .tempFail
                case .misconfigured: .configuration
                default: .software
                }
            let detail = error.cause.map { "\(error.message) (\($0))" } ?? error.message
            self.init(exitCode: exitCode, message: detail, code: error.code.description)
        case let error as LinkError:
            self.init(
                exitCode: .dataError, message: "\(error.message) (\(error.httpStatus) \(error.code))",
                code: error.code.description, httpStatus: error.httpStatus
            )
        case let error as APITokenError:
            self.init(exitCode: .dataError, message: error.description, code: error.code, httpStatus: error.httpStatus)
        case let error as ConfigurationError:
            switch error.kind {
            case .unreadable:
                self.init(exitCode: .ioError, message: error.description, code: "unreadable_configuration")
            case .invalid: self.init(exitCode: .dataError, message: error.description, code: "invalid_configuration")
            }
        case let error as IntakeRejection:
            self.init(exitCode: .dataError, message: error.description, code: "rejected")
        case let error as SQLiteError where error.isStorageFailure:
            self.init(exitCode: .ioError, message: "cannot use the database: \(error.message)", code: "storage_failure")
        case let error as StorageError:
            self.init(exitCode: .ioError, message: "cannot use the database: \(error)", code: "storage_failure")
        case let error as PostgresError:
            self.init(exitCode: .ioError, message: "cannot use the database: \(error)", code: "storage_failure")
        default:
            self.init(exitCode: .software, message: "internal error: \(error)")
        }
    }
}
