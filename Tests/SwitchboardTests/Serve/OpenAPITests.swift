import Foundation
import Harness
import JSON
import Testing
import switchboard

/// The OpenAPI document: valid by a real validator, naming exactly the routes `serve` answers, and served
/// as committed. (Every response the API tests see is checked against it: `APITests.Fixture`.)
@Suite("The OpenAPI document", .timeLimit(.minutes(2)))
struct OpenAPITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let document = root.appendingPathComponent("Sources/switchboard/Commands/Serve/API/openapi.json").path
    /// The Python with openapi-spec-validator (and its jsonschema) that `ops/test.sh` installs.
    static let tools = root.appendingPathComponent(".build/python-tools/bin")
    static let python = tools.appendingPathComponent("python").path
    static let conform = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("APIScripts/conform.py").path

    @Test("the document is valid OpenAPI 3.1 by openapi-spec-validator")
    func valid() async throws {
        let validator = try SwitchboardChild(
            executable: Self.tools.appendingPathComponent("openapi-spec-validator").path, arguments: [Self.document],
            errorOutput: .capture)
        let result = await validator.finish()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test("every route serve answers is in the document, and the document names no other")
    func coverage() throws {
        let paths = try #require(
            try JSONParser.parse(Data(contentsOf: URL(fileURLWithPath: Self.document))).objectValue?["paths"]?
                .objectValue)
        let documented = Set(
            paths.members.flatMap { path in
                (path.value.objectValue?.members ?? []).map { "\($0.key.uppercased()) \(path.key)" }
            })
        let answered = Set(APIRoutes.table.map { "\($0.method) \($0.path)" })
        #expect(answered.subtracting(documented).isEmpty, "not in the document: \(answered.subtracting(documented))")
        #expect(documented.subtracting(answered).isEmpty, "not answered: \(documented.subtracting(answered))")
        for route in APIRoutes.table {
            let operation = paths[route.path]?.objectValue?[route.method.lowercased()]?.objectValue
            let security = operation?["security"]?.arrayValue?.first?.objectValue?.members.first
            let documentedAccess: String? =
                switch (security?.key, security?.value.arrayValue?.first?.stringValue) {
                case (nil, _): "anyone"
                case ("userToken"?, nil): "user"
                case ("apiToken"?, let scope?): "service \(scope)"
                default: nil
                }
            let access =
                switch route.access {
                case .anyone: "anyone"
                case .user: "user"
                case .service(let scope): "service \(scope.rawValue)"
                }
            #expect(documentedAccess == access, "\(route.method) \(route.path): the document's security")
        }
    }

    @Test("serve answers the committed document, to anyone")
    func served() async throws {
        let directory = try TestDirectory()
        let server = try await TestServer(database: directory.databasePath)
        let response = try await server.client.send(.init(.get, server.baseURL + "/api/v1/openapi.json"))
        #expect(response.status == 200)
        #expect(response.body == (try Data(contentsOf: URL(fileURLWithPath: Self.document))))
        #expect(APIRoutes.openAPIDocument == response.body)
    }
}
