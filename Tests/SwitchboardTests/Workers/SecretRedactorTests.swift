import Foundation
import Queue
import Testing
import Workers

/// The one redactor, and the database password's forms it is given.
@Suite("Secret redactor")
struct SecretRedactorTests {
    @Test("a URL's password is found as written and percent-decoded, in the user part and in password=")
    func passwordForms() {
        let user = StoreLocation("postgresql://ada:p%40ss-word@db/x?sslmode=require")
        #expect(Set(user.passwordForms) == ["p%40ss-word", "p@ss-word"])
        let parameter = StoreLocation("postgres:///x?host=/run&password=se%2Fcret&user=ada")
        #expect(Set(parameter.passwordForms) == ["se%2Fcret", "se/cret"])
        #expect(StoreLocation("postgresql://ada:BAD%zz@db/x").passwordForms == ["BAD%zz"], "malformed: as written")
        #expect(StoreLocation("postgresql://ada@db/x").passwordForms.isEmpty)
        #expect(StoreLocation("/var/lib/switchboard/x.db").passwordForms.isEmpty)
    }

    @Test("a password from a file is added percent-encoded, after any other parameter, and masked in output")
    func addingPassword() {
        let location = StoreLocation("postgresql:///x?host=/run").addingPassword("a&b=c d/é")
        #expect(location.connectionText == "postgresql:///x?host=/run&password=a%26b%3Dc%20d%2F%C3%A9")
        #expect(location.description == "postgresql:///x?host=/run&password=***")
        #expect(location.passwordForms.contains("a&b=c d/é"))
        #expect(
            StoreLocation("postgresql://db/x").addingPassword("pw").connectionText == "postgresql://db/x?password=pw")
    }

    @Test("a password is masked whole, also as a JSON string writes it; tokens keep their first four characters")
    func masks() {
        let redactor = SecretRedactor(secrets: ["xoxb-token-123456"], passwords: [#"pa"ss\word"#])
        #expect(redactor.redact("token xoxb-token-123456") == "token xoxb***")
        #expect(redactor.redact(#"pw pa"ss\word"#) == "pw ***")
        #expect(redactor.redact(#"{"error":"pa\"ss\\word"}"#) == #"{"error":"***"}"#)
        #expect(SecretRedactor(secrets: [], passwords: ["short"]).redact("short") == "short", "too short to look for")
    }
}
