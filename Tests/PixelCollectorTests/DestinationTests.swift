@testable import PixelCollector
import Testing

/// What a tracking link may send a browser to: never anywhere but the host it names.
@Suite struct DestinationTests {
    static let tooLong = "https://shop.example/" + String(repeating: "x", count: 2028)
    static let longLabel = "https://\(String(repeating: "a", count: 64)).com/"

    /// The ways an open redirect gets past a validator, each refused with its reason.
    @Test(arguments: [
        ("", DestinationError.empty),
        ("//evil.com", .notAbsolute),
        ("/\\evil.com", .backslash),
        ("\\/evil.com", .backslash),
        ("https:evil.com", .noAuthority),
        ("https:/evil.com", .noAuthority),
        ("https:\\\\evil.com", .backslash),
        ("%2F%2Fevil.com", .notAbsolute),
        ("evil.com", .notAbsolute),
        ("/path/only", .notAbsolute),
        ("https://good.com@evil.com", .userinfo),
        ("https://user:pass@good.com/", .userinfo),
        ("https://@good.com/", .userinfo),
        ("https://evil.com\\@good.com", .backslash),
        ("https://good.com\\.evil.com", .backslash),
        ("https://good.com/\\evil", .backslash),
        ("https://good.com/a b", .controlOrSpace),
        ("https://good.com/\ta", .controlOrSpace),
        ("https://good.com/\r\nSet-Cookie:x=1", .controlOrSpace),
        ("https://good.com/\u{0}", .controlOrSpace),
        ("https://good.com/\u{7f}", .controlOrSpace),
        ("https://go\u{0B}od.com/", .controlOrSpace),
        (" https://good.com/", .controlOrSpace),
        ("java\tscript:alert(1)", .controlOrSpace),
        ("https://good.com/%0d%0aSet-Cookie:x=1", .badEscape),
        ("https://good.com/%00", .badEscape),
        ("https://good.com/%7F", .badEscape),
        ("https://good.com/%zz", .badEscape),
        ("https://good.com/%4", .badEscape),
        ("javascript:alert(1)", .scheme),
        ("JaVaScRiPt:alert(1)", .scheme),
        ("\u{1}javascript:alert(1)", .controlOrSpace),
        ("data:text/html,<script>alert(1)</script>", .unescapedCharacter),
        ("data:text/html;base64,PHNjcmlwdD4=", .scheme),
        ("vbscript:msgbox(1)", .scheme),
        ("VBScript:msgbox(1)", .scheme),
        ("file:///etc/passwd", .scheme),
        ("FILE://server/share", .scheme),
        ("ftp://good.com/", .scheme),
        ("https://good.com/\"onmouseover=alert(1)", .unescapedCharacter),
        ("https://good.com/<x>", .unescapedCharacter),
        ("https://good.com/{a}|b^`", .unescapedCharacter),
        (Self.tooLong, .tooLong),
        ("https://bücher.example/", .nonASCII),
        ("https://evil。com/", .nonASCII),
        ("https://evil%E3%80%82com/", .invalidHost),
        ("https://\u{430}pple.com/", .nonASCII),
        ("https://ｅｖｉｌ.com/", .nonASCII),
        ("https://evil%2ecom/", .invalidHost),
        ("https://%65vil.com/", .invalidHost),
        ("https://evil_host.com/", .invalidHost),
        ("https://evil.com./", .invalidHost),
        ("https://evil..com/", .invalidHost),
        ("https://-evil.com/", .invalidHost),
        ("https://evil-.com/", .invalidHost),
        (Self.longLabel, .invalidHost),
        ("https://2130706433/", .numericHost),
        ("https://0x7f000001/", .numericHost),
        ("https://0x7f.1/", .numericHost),
        ("https://127.1/", .numericHost),
        ("https://010.0.0.1/", .numericHost),
        ("https://256.0.0.1/", .numericHost),
        ("https://1.2.3.4.5/", .numericHost),
        ("https://example.123/", .numericHost),
        ("https://[::1]/", .ipv6),
        ("https://[::ffff:127.0.0.1]:8080/", .ipv6),
        ("https:///evil.com", .emptyHost),
        ("https://", .emptyHost),
        ("https://:443/", .emptyHost),
        ("https://?x", .emptyHost),
        ("https://good.com:0/", .port),
        ("https://good.com:65536/", .port),
        ("https://good.com:99999999999999999999/", .port),
        ("https://good.com:/", .port),
        ("https://good.com:080/", .port),
        ("https://good.com:-1/", .port),
        ("https://good.com:80:81/", .port),
        ("https://good.com:8o/", .port),
    ] as [(String, DestinationError)])
    func refusesWithItsReason(url: String, reason: DestinationError) {
        #expect(throws: reason) { try Destination(validating: url) }
    }

    @Test func theLimitIsExactly2048Bytes() throws {
        #expect(Self.tooLong.utf8.count == 2049)
        #expect(try Destination(validating: String(Self.tooLong.dropLast())).url.utf8.count == 2048)
    }

    @Test(arguments: [
        ("https://shop.example", "https://shop.example", "shop.example", "https://shop.example"),
        ("https://shop.example/", "https://shop.example/", "shop.example", "https://shop.example"),
        ("HTTPS://Shop.Example/Spring?Q=A", "https://shop.example/Spring?Q=A", "shop.example", "https://shop.example"),
        ("http://shop.example:8080/a/b?c=d&e=f#top", "http://shop.example:8080/a/b?c=d&e=f#top", "shop.example", "http://shop.example:8080"),
        ("https://shop.example:65535/", "https://shop.example:65535/", "shop.example", "https://shop.example:65535"),
        ("https://xn--bcher-kva.example/b%C3%BCcher?q=%20x%2B", "https://xn--bcher-kva.example/b%C3%BCcher?q=%20x%2B",
         "xn--bcher-kva.example", "https://xn--bcher-kva.example"),
        ("https://127.0.0.1:9/landing.html", "https://127.0.0.1:9/landing.html", "127.0.0.1", "https://127.0.0.1:9"),
        ("https://a-b.c-d.example/p;x=1/(y)*!$'~", "https://a-b.c-d.example/p;x=1/(y)*!$'~", "a-b.c-d.example", "https://a-b.c-d.example"),
        ("https://shop.example/?next=https://other.example/", "https://shop.example/?next=https://other.example/", "shop.example",
         "https://shop.example"),
        ("https://1password.example/", "https://1password.example/", "1password.example", "https://1password.example"),
    ] as [(String, String, String, String)])
    func acceptsAndReserialises(url: String, serialised: String, host: String, origin: String) throws {
        let destination = try Destination(validating: url)
        #expect(destination.url == serialised)
        #expect(destination.host == host)
        #expect(destination.origin == origin)
    }

    @Test func theClickIDGoesIntoTheQueryBeforeTheFragment() throws {
        let cases = [
            ("https://shop.example", "https://shop.example?ppclid=T"),
            ("https://shop.example/", "https://shop.example/?ppclid=T"),
            ("https://shop.example/a?b=c", "https://shop.example/a?b=c&ppclid=T"),
            ("https://shop.example/a?", "https://shop.example/a?ppclid=T"),
            ("https://shop.example/a?b=c&", "https://shop.example/a?b=c&ppclid=T"),
            ("https://shop.example/a#top", "https://shop.example/a?ppclid=T#top"),
            ("https://shop.example/a?b=c#x?y", "https://shop.example/a?b=c&ppclid=T#x?y"),
        ]
        for (url, expected) in cases {
            #expect(try Destination(validating: url).addingClickID("T") == expected)
        }
    }

    @Test func theAllowlistTakesExactHostsAndSubdomains() throws {
        let list = try LinkAllowlist(parsing: "shop.example, *.brand.example,Landing.Example")
        for host in ["shop.example", "a.brand.example", "a.b.brand.example", "landing.example"] {
            #expect(list.allows(host: host), "\(host)")
        }
        for host in ["brand.example", "evilshop.example", "shop.example.evil", "xbrand.example", "a.shop.example"] {
            #expect(!list.allows(host: host), "\(host)")
        }
        #expect(LinkAllowlist().isEmpty)
        for bad in ["https://shop.example", "shop.example:443", "shop.example/", "*", "*.", "a.*.example", "bücher.example", "shop..example"] {
            #expect(throws: LinkAllowlist.ParseError.self, "\(bad)") { try LinkAllowlist(parsing: bad) }
        }
    }
}
