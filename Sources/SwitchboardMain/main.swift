import Foundation
import switchboard

let exitCode = await CommandLineTool.main(Array(CommandLine.arguments.dropFirst()))
// Not exit(3): its handlers clean up C libraries (OpenSSL's OPENSSL_cleanup) while other threads may still be
// inside them, such as the LISTEN thread signing in to PostgreSQL with SCRAM (its HMAC then dereferences a
// freed lock: a segfault, seen at the end of short commands). Everything written goes out first.
fflush(nil)
_exit(exitCode.rawValue)
