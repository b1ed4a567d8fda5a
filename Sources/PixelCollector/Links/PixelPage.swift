import Crypto
import Foundation

/// The page a browser gets for a tracking link with a pixel set: it fires every pixel of
/// the set, then goes to the destination at once.
///
/// - Script: `location.replace(destination)` as soon as every pixel reports done (an
///   image's `load` or `error`, a script's `error`, Google's `event_callback`, TikTok's
///   script 300 ms after its `load`), or after ``timeoutMilliseconds`` whatever they do.
/// - Without script: `<noscript><meta http-equiv="refresh" content="0;url=…">`, then a
///   refresh after ``refreshSeconds`` for a browser whose script broke, and a visible link.
/// - `Content-Security-Policy`: nothing but the page's one inline script (by its SHA-256
///   hash) and what the set's pixels load, from their own hosts; no frames of it, no base,
///   no forms.
///
/// Every value is escaped for where it goes: the destination and image URLs as an HTML
/// attribute (`&<>"'` as entities) and as a JavaScript string (everything but letters,
/// digits and `.:-_~%=?,+` as `\xHH`), so no `</script>`, quote or line end gets through
/// even if a value were not validated.
enum PixelPage {
    /// How long the page waits for the pixels before it goes anyway.
    static let timeoutMilliseconds = 1000
    /// When the page's meta refresh goes, for a browser whose script did not.
    static let refreshSeconds = 2

    /// The page's HTML and its `Content-Security-Policy`.
    static func render(_ tags: [PixelTag], destination: String) -> (html: String, contentSecurityPolicy: String) {
        let script = script(tags, destination: destination)
        let attribute = HTMLText.attribute(destination)
        let html = """
            <!doctype html>
            <html><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Redirecting</title>
            <noscript><meta http-equiv="refresh" content="0;url=\(attribute)"></noscript>
            <meta http-equiv="refresh" content="\(refreshSeconds);url=\(attribute)">
            <script>\(script)</script>
            </head><body><p><a href="\(attribute)">Continue</a></p></body></html>

            """
        let hash = Data(SHA256.hash(data: Array(script.utf8))).base64EncodedString()
        return (html, contentSecurityPolicy(tags, scriptHash: hash))
    }

    /// The inline script: fire every pixel, then go.
    static func script(_ tags: [PixelTag], destination: String) -> String {
        var pixels = ""
        var googleReady = false
        for tag in tags {
            switch tag {
            case .meta(let id):
                pixels += "img(\(JavaScriptText.string("https://www.facebook.com/tr?id=\(id)&ev=PageView&noscript=1")));"
            case .linkedin(let id):
                pixels += "img(\(JavaScriptText.string("https://px.ads.linkedin.com/collect/?pid=\(id)&fmt=gif")));"
            case .image(let url):
                pixels += "img(\(JavaScriptText.string(url.url)));"
            case .google(let id):
                if !googleReady {
                    pixels += "var l=window.dataLayer=window.dataLayer||[];function gtag(){l.push(arguments)}gtag(\"js\",new Date());"
                    googleReady = true
                }
                let tagID = JavaScriptText.string(id)
                pixels += "gtag(\"config\",\(tagID),{send_page_view:false});"
                    + "gtag(\"event\",\"page_view\",{send_to:\(tagID),event_callback:one,event_timeout:\(timeoutMilliseconds - 100)});"
                    + "js(\(JavaScriptText.string("https://www.googletagmanager.com/gtag/js?id=\(id)")),function(){});"
            case .tiktok(let id):
                // The queue TikTok's loader leaves for events.js, and the page event in it.
                let pixelID = JavaScriptText.string(id)
                pixels += "var t=window.ttq=window.ttq||[];window.TiktokAnalyticsObject=\"ttq\";"
                    + "t._i=t._i||{};t._i[\(pixelID)]=[];t._t=t._t||{};t._t[\(pixelID)]=+new Date;t._o=t._o||{};t._o[\(pixelID)]={};"
                    + "t.push([\"page\"]);"
                    + "js(\(JavaScriptText.string("https://analytics.tiktok.com/i18n/pixel/events.js?sdkid=\(id)&lib=ttq")),"
                    + "function(){setTimeout(one,300)});"
            }
        }
        return "(function(){var d=\(JavaScriptText.string(destination)),n=\(tags.count),gone=0;"
            + "function go(){if(!gone){gone=1;location.replace(d)}}"
            + "function one(){if(--n<1)go()}"
            + "function img(u){var i=new Image();i.onload=i.onerror=one;i.src=u}"
            + "function js(u,f){var s=document.createElement(\"script\");s.async=true;s.onload=f;s.onerror=one;s.src=u;"
            + "document.head.appendChild(s)}"
            + "setTimeout(go,\(timeoutMilliseconds));\(pixels)})();"
    }

    /// What the page may load: the script by its hash, and each pixel's own hosts.
    static func contentSecurityPolicy(_ tags: [PixelTag], scriptHash: String) -> String {
        var scripts = ["'sha256-\(scriptHash)'"]
        var images: [String] = []
        var connections: [String] = []
        var frames: [String] = []
        func add(_ sources: [String], to list: inout [String]) {
            for source in sources where !list.contains(source) { list.append(source) }
        }
        for tag in tags {
            switch tag {
            case .meta:
                add(["https://www.facebook.com"], to: &images)
            case .linkedin:
                add(["https://px.ads.linkedin.com", "https://*.linkedin.com"], to: &images)
            case .image(let url):
                add([url.origin], to: &images)
            case .google:
                add(["https://www.googletagmanager.com"], to: &scripts)
                let google = ["https://*.google-analytics.com", "https://*.analytics.google.com", "https://*.googletagmanager.com",
                              "https://*.g.doubleclick.net", "https://*.google.com", "https://www.googleadservices.com"]
                add(google, to: &images)
                add(google + ["https://pagead2.googlesyndication.com"], to: &connections)
                add(["https://td.doubleclick.net", "https://www.googletagmanager.com"], to: &frames)
            case .tiktok:
                add(["https://analytics.tiktok.com"], to: &scripts)
                add(["https://analytics.tiktok.com"], to: &images)
                add(["https://analytics.tiktok.com", "https://*.tiktok.com"], to: &connections)
            }
        }
        func directive(_ name: String, _ sources: [String]) -> String {
            "\(name) \(sources.isEmpty ? "'none'" : sources.joined(separator: " "))"
        }
        return [
            "default-src 'none'", directive("script-src", scripts), directive("img-src", images),
            directive("connect-src", connections), directive("frame-src", frames),
            "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
        ].joined(separator: "; ")
    }
}

/// Text escaped for an HTML attribute value in double quotes.
enum HTMLText {
    static func attribute(_ text: String) -> String {
        var escaped = ""
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}

/// Text as a JavaScript string literal that is safe inside an HTML `<script>`.
enum JavaScriptText {
    static func string(_ text: String) -> String {
        var literal = "\""
        for unit in text.utf16 {
            switch unit {
            case UInt16(UInt8(ascii: "a"))...UInt16(UInt8(ascii: "z")), UInt16(UInt8(ascii: "A"))...UInt16(UInt8(ascii: "Z")),
                UInt16(UInt8(ascii: "0"))...UInt16(UInt8(ascii: "9")):
                literal.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            case _ where ".:-_~%=?,+".utf16.contains(unit):
                literal.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            case 0..<0x100:
                literal += "\\x" + hex(unit, digits: 2)
            default:
                literal += "\\u" + hex(unit, digits: 4)
            }
        }
        return literal + "\""
    }

    private static func hex(_ value: UInt16, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: digits - text.count) + text
    }
}
