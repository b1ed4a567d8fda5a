/// `/p.js`: the first-party script that records page views and outbound clicks, so a site
/// needs one tag:
///
/// ```html
/// <script async src="https://px.example.com/p.js" data-campaign="spring-sale" data-pixel="home"></script>
/// ```
///
/// When it runs it sends a `view` beacon to `{where p.js came from}/p/{campaign}/{pixel}`
/// (`data-pixel` defaults to `page`); a click (or middle click) on a link to another host
/// sends a `click` beacon to the same pixel. Beacons are `navigator.sendBeacon` without a
/// body, which needs no CORS preflight and survives the page being left; without
/// `sendBeacon` an image request (`….gif?e=…`) goes instead. Each carries the page's
/// `utm_source` and `utm_medium`, and as `ref` the page's referrer when it is another
/// site, for the hit's channel (see ``ChannelRules``). No cookies, no storage, no
/// identifiers: the visitor hash is made at the collector, and `DNT: 1` or `Sec-GPC: 1`,
/// which browsers send with beacons as with every request, drop it there as for pixels.
///
/// Served with an `ETag` (a hash of the text) and `Cache-Control: public, max-age=3600`,
/// so browsers revalidate hourly and get `304` until the script changes.
enum PixelScript {
    /// The script, UTF-8.
    static let source: [UInt8] = Array(#"""
        /*! PixelPulse p.js: page views and outbound clicks, by sendBeacon; stores nothing. */
        (function () {
          var s = document.currentScript, c = s && s.getAttribute("data-campaign");
          if (!c) return;
          var u = s.src.replace(/p\.js([?#].*)?$/, "") + "p/" + encodeURIComponent(c) + "/" +
            encodeURIComponent(s.getAttribute("data-pixel") || "page");
          var q = "", t = new URLSearchParams(location.search), r = document.referrer;
          ["utm_source", "utm_medium"].forEach(function (k) {
            if (t.get(k)) q += "&" + k + "=" + encodeURIComponent(t.get(k));
          });
          try { if (r && new URL(r).hostname != location.hostname) q += "&ref=" + encodeURIComponent(r); } catch (x) {}
          function send(e) {
            var n = navigator;
            if (!(n.sendBeacon && n.sendBeacon(u + "?e=" + e + q))) new Image().src = u + ".gif?e=" + e + q;
          }
          function click(v) {
            var a = v.target && v.target.closest && v.target.closest("a[href]");
            if (a && (v.type == "click" || v.button == 1) && /^https?:$/.test(a.protocol) &&
                a.hostname != location.hostname) send("click");
          }
          addEventListener("click", click, true);
          addEventListener("auxclick", click, true);
          send("view");
        })();

        """#.utf8)

    /// A strong validator of ``source``: its SipHash under a fixed key, in hexadecimal.
    static let entityTag: String = {
        let hash = source.withUnsafeBytes { SipHasher.hash($0, key0: 0x7069_7865_6c70_756c, key1: 0x7365_2f70_2e6a_7321) }
        let hex = String(hash, radix: 16)
        return "\"p-\(String(repeating: "0", count: 16 - hex.count))\(hex)\""
    }()

    /// Whether an `If-None-Match` value names ``entityTag`` (or is `*`); a weak
    /// comparison, as RFC 9110 asks for `If-None-Match`.
    static func isCurrent(ifNoneMatch value: String) -> Bool {
        for item in value.split(separator: ",") {
            var tag = item.drop { $0 == " " || $0 == "\t" }
            while let last = tag.last, last == " " || last == "\t" { tag = tag.dropLast() }
            if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
            if tag == "*" || tag == entityTag[...] { return true }
        }
        return false
    }
}
