import Enqueuer
import Queue
import Workers

/// The process exit statuses of `switchboard`, from sysexits.h.
package enum ExitCode: Int32 {
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
    /// A setting is wrong in a way no retry mends: the database server refuses the URL, role, password or
    /// database, or the password file cannot be read (EX_CONFIG). systemd units do not restart on it.
    case configuration = 78
    /// Stopped by Ctrl-C (SIGINT) part-way through.
    case interrupted = 130

    /// The error code a failure with this status has, when nothing more specific names it.
    var errorCode: String {
        switch self {
        case .success: "ok"
        case .usage: "usage"
        case .dataError: "invalid_data"
        case .unavailable: "unavailable"
        case .software: "internal"
        case .cannotCreate: "cannot_create"
        case .ioError: "io_error"
        case .tempFail: "locked"
        case .configuration: "misconfigured"
        case .interrupted: "interrupted"
        }
    }
}
