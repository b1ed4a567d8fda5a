import Foundation
import Crypto

/// The page, its stylesheet and its script, as served: each asset named after a digest of
/// its bytes (`assets/dashboard.<digest>.js`), so a browser may keep it for good and a new
/// build is fetched at once. The page itself is always revalidated.
struct DashboardPage: Sendable {
    struct Asset: Sendable {
        let contentType: String
        let bytes: [UInt8]
    }

    /// The HTML, with the assets' names and the currency filled in.
    let html: [UInt8]
    /// `dashboard.<digest>.css` and `.js` → the asset.
    let assets: [String: Asset]

    /// - Parameter currency: The ISO 4217 code the page formats conversion values in, or
    ///   `nil` to show them as minor units ÷ 100.
    init(currency: String?) {
        var assets: [String: Asset] = [:]
        var html = String(decoding: PackageResources.index_html, as: UTF8.self)
        for (name, bytes, type) in [
            ("dashboard.css", PackageResources.dashboard_css, "text/css; charset=utf-8"),
            ("dashboard.js", PackageResources.dashboard_js, "text/javascript; charset=utf-8"),
        ] {
            let digest = SHA256.hash(data: bytes).prefix(6).map { String(format: "%02x", $0) }.joined()
            let file = name.replacingOccurrences(of: ".", with: ".\(digest).")
            assets[file] = Asset(contentType: type, bytes: bytes)
            html = html.replacingOccurrences(of: "{{\(name)}}", with: "assets/\(file)")
        }
        self.html = Array(html.replacingOccurrences(of: "{{currency}}", with: currency ?? "").utf8)
        self.assets = assets
    }

    /// The page's weight: HTML, stylesheet and script, uncompressed.
    var weight: Int { html.count + assets.values.reduce(0) { $0 + $1.bytes.count } }

    /// What the page's responses allow: its own script and style only, requests to its own
    /// origin, no framing.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}
