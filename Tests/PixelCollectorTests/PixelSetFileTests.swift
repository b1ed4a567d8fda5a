import Crypto
import Foundation
@testable import PixelCollector
import PixelCore
import Testing

/// Pixel sets from YAML, and the page that fires them: every value validated, and escaped
/// where it lands.
@Suite struct PixelSetFileTests {
    static let example = """
        # The ad platforms' pixels of the spring campaign.
        sets:
          spring:
            - meta: "1234567890123456"
            - google: "AW-123456789"
            - tiktok: "C4A1B2C3D4E5F6G7H8I9"
            - linkedin: "123456"
            - image: "https://ads.example/px.gif?acct=7"
          autumn: [{google: G-ABC123}, {image: "http://ads.example:8080/a.gif"}]
        """

    @Test func readsEverySetAndKind() throws {
        let sets = try PixelSetFile.parse(Self.example, file: "sets.yaml")
        #expect(sets.count == 2)
        #expect(sets["spring"] == [
            .meta("1234567890123456"), .google("AW-123456789"), .tiktok("C4A1B2C3D4E5F6G7H8I9"), .linkedin("123456"),
            .image(try Destination(validating: "https://ads.example/px.gif?acct=7")),
        ])
        #expect(sets["autumn"] == [.google("G-ABC123"), .image(try Destination(validating: "http://ads.example:8080/a.gif"))])
        #expect(sets["winter"] == nil)
    }

    @Test func theShippedExampleLoads() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending(path: "Deploy/examples/pixel-sets.yaml").path
        let sets = try PixelSetFile(path: path).load()
        #expect(sets.count == 2)
    }

    /// Every broken file names its line; hostile values never load.
    @Test(arguments: [
        ("sets:\n  spring:\n    - meta: [1\n", 4, "YAML syntax"),
        ("set:\n  spring: []\n", 1, #"unknown top-level field; expected "sets""#),
        ("- spring\n", 1, #"expected a mapping with "sets""#),
        ("sets: spring\n", 1, #""sets" must map"#),
        ("sets:\n  spring:\n    meta: \"123456\"\n", 3, #"set "spring": expected a list"#),
        ("sets:\n  spring: []\n", 2, "a set has 1-20 pixels"),
        ("sets:\n  spring/x:\n    - meta: \"123456\"\n", 2, "a set's name is"),
        ("sets:\n  spring:\n    - meta: \"123456\"\n  spring:\n    - meta: \"123456\"\n", 2, "spring given twice in one mapping"),
        ("sets:\n  spring:\n    - meta: \"123456\"\n    - pinterest: \"1\"\n", 4, #""pinterest" is not a kind of pixel"#),
        ("sets:\n  spring:\n    - meta: \"123456\"\n      google: AW-1\n", 3, "each pixel is one kind and its value"),
        ("sets:\n  spring:\n    - meta: [1, 2]\n", 3, #"set "spring", meta: expected a single value"#),
        ("sets:\n  spring:\n    - meta: \"12345abc\"\n", 3, "a Meta pixel id is 5-20 digits"),
        ("sets:\n  spring:\n    - meta: \"1\\\"><script>alert(1)</script>\"\n", 3, "a Meta pixel id is 5-20 digits"),
        ("sets:\n  spring:\n    - google: \"AW-1');alert(1);//\"\n", 3, "a Google tag id is"),
        ("sets:\n  spring:\n    - google: \"UA-12345-1\"\n", 3, "a Google tag id is"),
        ("sets:\n  spring:\n    - tiktok: \"c4a1b2c3d4e5\"\n", 3, "a TikTok pixel id is"),
        ("sets:\n  spring:\n    - linkedin: \"12 34\"\n", 3, "a LinkedIn partner id is"),
        ("sets:\n  spring:\n    - image: \"javascript:alert(1)\"\n", 3, "the image URL has a scheme other than http and https"),
        ("sets:\n  spring:\n    - image: \"https://ads.example/\\\"></script><script>alert(1)</script>\"\n", 3,
         "the image URL holds one of"),
        ("sets:\n  spring:\n    - image: \"//ads.example/px.gif\"\n", 3, "the image URL is not an absolute"),
    ] as [(String, Int, String)])
    func brokenFilesAreRefusedWithTheirLine(text: String, line: Int, message: String) {
        do {
            let sets = try PixelSetFile.parse(text, file: "sets.yaml")
            Issue.record("accepted \(sets)")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.description.hasPrefix("sets.yaml:\(line): "), "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test func aMissingFileSaysSo() {
        #expect(throws: PixelSetFileError.self) { try PixelSetFile(path: "/nonexistent/sets.yaml").load() }
    }
}

@Suite struct PixelPageTests {
    static let destination = "https://shop.example/spring?a=1&b='2'&ppclid=T#top"

    @Test func firesEveryPixelThenGoesAtOnce() throws {
        let tags: [PixelTag] = [
            .meta("1234567890123456"), .google("AW-123456789"), .tiktok("C4A1B2C3D4E5F6G7H8I9"), .linkedin("123456"),
            .image(try Destination(validating: "https://ads.example/px.gif?acct=7&x='y'")),
        ]
        let page = PixelPage.render(tags, destination: Self.destination)
        let html = page.html
        #expect(html.utf8.count < 3000, "\(html.utf8.count) bytes")
        let attribute = "https://shop.example/spring?a=1&amp;b=&#39;2&#39;&amp;ppclid=T#top"
        #expect(html.contains(#"<noscript><meta http-equiv="refresh" content="0;url=\#(attribute)"></noscript>"#))
        #expect(html.contains(#"<meta http-equiv="refresh" content="2;url=\#(attribute)">"#))
        #expect(html.contains(#"<a href="\#(attribute)">"#))
        #expect(html.range(of: "<noscript>")!.lowerBound < html.range(of: "content=\"2;")!.lowerBound)
        let script = PixelPage.script(tags, destination: Self.destination)
        #expect(html.contains("<script>\(script)</script>"))
        for expected in [
            #"location.replace(d)"#, "setTimeout(go,1000)",
            #"d="https:\x2f\x2fshop.example\x2fspring?a=1\x26b=\x272\x27\x26ppclid=T\x23top""#,
            #"img("https:\x2f\x2fwww.facebook.com\x2ftr?id=1234567890123456\x26ev=PageView\x26noscript=1")"#,
            #"img("https:\x2f\x2fpx.ads.linkedin.com\x2fcollect\x2f?pid=123456\x26fmt=gif")"#,
            #"img("https:\x2f\x2fads.example\x2fpx.gif?acct=7\x26x=\x27y\x27")"#,
            #"js("https:\x2f\x2fwww.googletagmanager.com\x2fgtag\x2fjs?id=AW-123456789",function(){})"#,
            #"gtag("event","page_view",{send_to:"AW-123456789",event_callback:one"#,
            #"js("https:\x2f\x2fanalytics.tiktok.com\x2fi18n\x2fpixel\x2fevents.js?sdkid=C4A1B2C3D4E5F6G7H8I9\x26lib=ttq""#,
            "n=5,",
        ] {
            #expect(script.contains(expected), "\(expected)")
        }
        let policy = page.contentSecurityPolicy
        #expect(policy.hasPrefix("default-src 'none'; script-src 'sha256-"))
        for source in ["https://www.googletagmanager.com", "https://analytics.tiktok.com"] {
            #expect(policy.contains(source))
        }
        let images = try #require(policy.split(separator: ";").first { $0.contains("img-src") })
        for source in ["https://www.facebook.com", "https://px.ads.linkedin.com", "https://ads.example"] {
            #expect(images.contains(source))
        }
        #expect(policy.hasSuffix("base-uri 'none'; form-action 'none'; frame-ancestors 'none'"))
    }

    /// The script's hash in the policy is the hash of the script in the page.
    @Test func thePolicyAllowsExactlyTheInlineScript() throws {
        let tags: [PixelTag] = [.image(try Destination(validating: "https://ads.example/px.gif"))]
        let page = PixelPage.render(tags, destination: "https://shop.example/")
        let script = PixelPage.script(tags, destination: "https://shop.example/")
        let expected = PixelPage.contentSecurityPolicy(tags, scriptHash: Data(SHA256.hash(data: Array(script.utf8))).base64EncodedString())
        #expect(page.contentSecurityPolicy == expected)
        #expect(page.contentSecurityPolicy.contains("img-src https://ads.example; connect-src 'none'; frame-src 'none'"))
    }

    /// Values that were not validated still cannot leave their string or attribute.
    @Test func hostileValuesStayInsideTheirContext() {
        let hostile = "x\"'></script><script>alert(1)</script>\u{2028}\n\\"
        #expect(JavaScriptText.string(hostile)
            == #""x\x22\x27\x3e\x3c\x2fscript\x3e\x3cscript\x3ealert\x281\x29\x3c\x2fscript\x3e\u2028\x0a\x5c""#)
        #expect(HTMLText.attribute(hostile) == "x&quot;&#39;&gt;&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;\u{2028}\n\\")
        let page = PixelPage.render([.meta(hostile)], destination: hostile).html
        #expect(!page.contains("</script><script>"))
        #expect(page.components(separatedBy: "<script>").count == 2)
    }
}
