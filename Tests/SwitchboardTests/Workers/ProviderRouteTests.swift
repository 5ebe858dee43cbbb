import Testing
import Workers

/// The provider API paths the clients build are the ones the fake provider recognises.
@Suite("Provider routes")
struct ProviderRouteTests {
    @Test("a route recognises the path it builds, with its segment, ignoring a query", arguments: ProviderRoute.sends)
    func recognisesItsOwnPath(route: ProviderRoute) {
        #expect(route.matches(route.path("123456:SECRET")))
        #expect(route.matches(route.path("C1") + "?access_token=t"))
    }

    @Test("a route with a segment needs one, and one path segment only")
    func segmentIsOnePathSegment() {
        #expect(!ProviderRoute.telegramSend.matches("/bot/sendMessage"))
        #expect(!ProviderRoute.discordMessages.matches("/api/v10/channels/1/threads/2/messages"))
        #expect(ProviderRoute.discordMessages.matches("/api/v10/channels/81384788765712384/messages"))
    }

    @Test("no two send routes recognise the same path")
    func sendRoutesAreDistinct() {
        for route in ProviderRoute.sends {
            let path = route.path("X1")
            #expect(ProviderRoute.sends.filter { $0.matches(path) }.count == 1, "\(path)")
        }
    }
}
