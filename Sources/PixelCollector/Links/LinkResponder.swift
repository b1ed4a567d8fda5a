import Logging
import NIOHTTP1
import PixelCore

/// Answers a tracking link: decides, counts, and says what to send.
///
/// | request | answer | counted |
/// |---|---|---|
/// | refused (``LinkRefusal``) | `400`, the reason in one line | `link_refused_total{reason}` |
/// | `HEAD` | `302` to the destination | no |
/// | a bot, link previewer or prefetch | `302` to the destination, no click id | kind `bot` |
/// | a browser, no pixel set | `302` to the destination with `ppclid` | kind `click` |
/// | a browser, a pixel set | `200`, the ``PixelPage`` going to the destination with `ppclid` | kind `click` |
/// | a browser, a pixel set not loaded | `302` to the destination with `ppclid`; logged once per set | kind `click`, `link_pixel_set_missing_total` |
struct LinkResponder {
    /// What to send.
    enum Answer: Equatable {
        case redirect(location: String)
        case page(html: String, contentSecurityPolicy: String)
        case refused(message: String)
    }

    let services: HTTPServices

    func answer(_ parsed: LinkRequest.Parsed, headers: HitHeaders, isHEAD: Bool, recorder: inout HitRecorder) -> Answer {
        let metrics = services.metrics
        let request: LinkRequest
        switch parsed {
        case .refused(let reason, let problem):
            return refuse(reason, message: problem.map(LinkRefusal.message) ?? reason.message)
        case .link(let link):
            request = link
        }
        let link = request.link
        let (keys, pixels) = services.links.snapshot(pixelSet: link.pixelSet)
        if let reason = services.links.authorize(request, keys: keys) { return refuse(reason, message: reason.message) }
        if isHEAD { return .redirect(location: link.destination.url) }

        let tags = ChannelRules.utmTags(ofURL: link.destination.url)
        let hit = HitRequest(
            campaign: link.campaign, pixel: link.link, kind: .click, source: tags.source, medium: tags.medium,
            referrer: headers.referer.flatMap { ChannelRules.referrerHost($0.utf8) })
        if recorder.isBot(headers) || headers.isPrefetch {
            recorder.record(hit, headers: headers, from: .link, asBot: true)
            return .redirect(location: link.destination.url)
        }
        let time = WallClock.milliseconds()
        recorder.record(hit, headers: headers, from: .link, at: time)
        let location = link.destination.addingClickID(ClickID.random(campaign: link.campaign, link: link.link, time: time).token(keys: keys))
        guard let set = link.pixelSet else {
            metrics.countLinkClick(pixelPage: false)
            return .redirect(location: location)
        }
        guard let pixels else {
            metrics.countLinkClick(pixelPage: false)
            metrics.countPixelSetMissing()
            if services.links.isFirstMiss(of: set) {
                services.logger.warning("A tracking link names a pixel set that is not loaded; its clicks go straight to the destination", metadata: [
                    "link.campaign": "\(link.campaign)", "link.id": "\(link.link)", "pixel_set": "\(set)"])
            }
            return .redirect(location: location)
        }
        metrics.countLinkClick(pixelPage: true)
        let page = PixelPage.render(pixels, destination: location)
        return .page(html: page.html, contentSecurityPolicy: page.contentSecurityPolicy)
    }

    private func refuse(_ reason: LinkRefusal, message: String) -> Answer {
        services.metrics.countLinkRefusal(reason)
        services.metrics.countHTTPError(status: 400)
        return .refused(message: message)
    }
}

extension LinkResponder.Answer {
    /// `Referrer-Policy` of every answer: the destination learns the origin the link was
    /// on, never its path, and nothing when leaving https for http (the browsers' default,
    /// made explicit).
    static let referrerPolicy = ("Referrer-Policy", "strict-origin-when-cross-origin")

    /// Status, headers (besides `Date`, `Content-Length` and `Connection`) and body.
    var response: (status: HTTPResponseStatus, headers: [(String, String)], body: String) {
        switch self {
        case .redirect(let location):
            (.found, [("Location", location), ("Cache-Control", "no-store"), Self.referrerPolicy], "")
        case .page(let html, let policy):
            (.ok, [
                ("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store"), ("Content-Security-Policy", policy),
                Self.referrerPolicy, ("X-Content-Type-Options", "nosniff"),
            ], html)
        case .refused(let message):
            (.badRequest, [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")],
             message + "\n")
        }
    }
}
