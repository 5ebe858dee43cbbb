import Testing
import Workers

/// The provider API paths the clients build are the ones the fake provider recognises.
@Suite("Provider routes")
struct ProviderRouteTests {
    @Test(
        "a route recognises the path it builds, with its segments, ignoring a query",
        arguments: ProviderRoute.sends + ProviderRoute.edits)
    func recognisesItsOwnPath(route: ProviderRoute) {
        #expect(route.matches(route.path("123456:SECRET", "1210987654321098765")))
        #expect(route.matches(route.path("C1", "M1") + "?access_token=t"))
    }

    @Test("a route with segments needs each, and one path segment only for each")
    func segmentIsOnePathSegment() {
        #expect(!ProviderRoute.telegramSend.matches("/bot/sendMessage"))
        #expect(!ProviderRoute.discordMessages.matches("/api/v10/channels/1/threads/2/messages"))
        #expect(ProviderRoute.discordMessages.matches("/api/v10/channels/81384788765712384/messages"))
        #expect(ProviderRoute.discordMessage.matches("/api/v10/channels/81384788765712384/messages/42"))
        #expect(!ProviderRoute.discordMessage.matches("/api/v10/channels/8138/messages/"))
        #expect(!ProviderRoute.discordMessage.matches("/api/v10/channels/8138/messages/42/reactions"))
        #expect(!ProviderRoute.feishuMessage.matches("/open-apis/im/v1/messages/om_1/reply"))
    }

    @Test("no two send or edit routes recognise the same path")
    func routesAreDistinct() {
        let routes = ProviderRoute.sends + ProviderRoute.edits
        for route in routes {
            let path = route.path("X1", "Y1")
            #expect(routes.filter { $0.matches(path) }.count == 1, "\(path)")
        }
    }
}
