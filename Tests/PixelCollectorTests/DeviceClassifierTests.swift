@testable import PixelCollector
import PixelCore
import Testing

@Suite struct DeviceClassifierTests {
    @Test(arguments: [
        ("", DeviceClass.unknown),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36", .desktop),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", .desktop),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", .mobile),
        ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36", .mobile),
        ("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", .tablet),
        ("Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 Chrome/131.0 Safari/537.36", .tablet),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", .bot),
        ("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X) Mobile Safari/537.36 (compatible; Googlebot/2.1)", .bot),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", .bot),
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", .bot),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0 Safari/537.36", .bot),
        ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", .bot),
        ("Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/534+ (KHTML, like Gecko) BingPreview/1.0b", .bot),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1)", .bot),
        ("Twitterbot/1.0", .bot),
        ("LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)", .bot),
        ("Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", .bot),
        ("TelegramBot (like TwitterBot)", .bot),
        ("facebookexternalhit/1.1;Facebot", .bot),
        ("WhatsApp/2.23.20.0 A", .bot),
        ("Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com", .bot),
        ("Pinterest/0.2 (+https://www.pinterest.com/bot.html)", .bot),
        ("Mozilla/5.0 (compatible; redditbot/1.0; +http://www.reddit.com/feedback)", .bot),
        ("Mozilla/5.0 (compatible; Embedly/0.2; +http://support.embed.ly/)", .bot),
        ("Iframely/1.3.1 (+https://iframely.com/docs/about)", .bot),
        ("Mozilla/5.0 (compatible; vkShare; +http://vk.com/dev/Share)", .bot),
        ("curl/8.5.0", .server),
        ("Wget/1.21.3", .server),
        ("python-requests/2.31.0", .server),
        ("Go-http-client/2.0", .server),
        ("okhttp/4.12.0", .server),
        ("Java/17.0.9", .server),
        ("Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)", .mail),
        ("YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html", .mail),
    ])
    func classifies(userAgent: String, expected: DeviceClass) {
        #expect(DeviceClassifier.classify(userAgent) == expected)
    }

    @Test func examinesOnlyThePrefixOfAHugeAgent() {
        #expect(DeviceClassifier.classify(String(repeating: "x", count: 100_000) + " Googlebot") == .desktop)
    }
}
