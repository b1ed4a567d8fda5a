import Metrics
import PixelCore

/// The collector's metric handles, made once per ``Collector`` from the factory it was given.
///
/// | metric | labels | meaning |
/// |---|---|---|
/// | `pixelpulse_collector_hits_total` | `kind` | hits accepted into a batch: `view`, `click`, `conversion`, and `bot` (see ``HitRecorder``) |
/// | `pixelpulse_collector_bots_total` | `route` | of those, hits from bots, link previewers and prefetches, by where they came in: `pixel`, `beacon`, `link` |
/// | `pixelpulse_collector_rejected_total` | `reason` | requests answered but not counted (see ``RejectReason``) |
/// | `pixelpulse_collector_link_clicks_total` | `answer` | tracking-link clicks counted, by answer: `redirect` (a `302`) or `pixel_page` (the page that fires a pixel set) |
/// | `pixelpulse_collector_link_refused_total` | `reason` | tracking links answered `400` (see ``LinkRefusal``) |
/// | `pixelpulse_collector_link_pixel_set_missing_total` | | clicks on links naming a pixel set that is not loaded, answered with a plain `302` |
/// | `pixelpulse_collector_dropped_total` | `reason` | hits lost: `queue_full` (the send queue was full), `unacked_overflow` (given up: too many batches waiting for acks), `shutdown` (still unsent or unacknowledged when the collector stopped), and with a spool `spool_full` (the spool held its limit) or `spool_error` (writing to the spool failed); the pixel is answered as usual |
/// | `pixelpulse_collector_http_errors_total` | `status` | `400` (unparseable request, refused tracking link), `401` (a conversion report without a valid token), `403` (refused CORS preflight), `404`, `405`, `413` answers |
/// | `pixelpulse_collector_batches_sent_total` | | batches handed to the DEALER socket |
/// | `pixelpulse_collector_batches_resent_total` | | batches sent again (link back, or ack overdue) |
/// | `pixelpulse_collector_events_sent_total` | | events in those batches |
/// | `pixelpulse_collector_batch_acks_total` | `status` | acknowledgements: `accepted`, `duplicate`, `rejected`, `invalid` (not an ack frame) |
/// | `pixelpulse_collector_queued_batches` | | batches waiting to be sent (with a spool: sealed on disk, not yet read) |
/// | `pixelpulse_collector_spool_bytes` | | bytes of spool segments on disk (0 without a spool) |
/// | `pixelpulse_collector_unacked_batches` | | batches sent and not yet acknowledged |
/// | `pixelpulse_collector_aggregator_up` | | 1 while the ingest connection is up |
struct CollectorMetrics: Sendable {
    /// Indexed by `EventKind.rawValue`.
    private let hits: [Counter]
    private let rejections: [RejectReason: Counter]
    private let bots: [HitRecorder.Source: Counter]
    private let linkRefusals: [LinkRefusal: Counter]
    private let linkRedirects: Counter
    private let linkPixelPages: Counter
    private let linkPixelSetMissing: Counter
    let droppedQueueFull: Counter
    let droppedShutdown: Counter
    let droppedUnackedOverflow: Counter
    let droppedSpoolFull: Counter
    let droppedSpoolError: Counter
    private let httpErrors: [Int: Counter]
    let batchesSent: Counter
    let batchesResent: Counter
    let eventsSent: Counter
    let acksAccepted: Counter
    let acksDuplicate: Counter
    let acksRejected: Counter
    let acksInvalid: Counter
    let queuedBatches: Gauge
    let unackedBatches: Gauge
    let spoolBytes: Gauge
    let aggregatorUp: Gauge

    /// The HTTP statuses counted in `pixelpulse_collector_http_errors_total`.
    static let countedErrorStatuses = [400, 401, 403, 404, 405, 413]

    init(factory: any MetricsFactory) {
        let prefix = "pixelpulse_collector_"
        // Raw values are 0, 1, 2, 3: the array index.
        hits = EventKind.allCases.sorted { $0.rawValue < $1.rawValue }.map {
            Counter(label: prefix + "hits_total", dimensions: [("kind", $0.name)], factory: factory)
        }
        var rejections: [RejectReason: Counter] = [:]
        for reason in RejectReason.allCases {
            rejections[reason] = Counter(
                label: prefix + "rejected_total", dimensions: [("reason", reason.rawValue)], factory: factory)
        }
        self.rejections = rejections
        bots = Dictionary(uniqueKeysWithValues: HitRecorder.Source.allCases.map {
            ($0, Counter(label: prefix + "bots_total", dimensions: [("route", $0.rawValue)], factory: factory))
        })
        linkRefusals = Dictionary(uniqueKeysWithValues: LinkRefusal.allCases.map {
            ($0, Counter(label: prefix + "link_refused_total", dimensions: [("reason", $0.rawValue)], factory: factory))
        })
        linkRedirects = Counter(label: prefix + "link_clicks_total", dimensions: [("answer", "redirect")], factory: factory)
        linkPixelPages = Counter(label: prefix + "link_clicks_total", dimensions: [("answer", "pixel_page")], factory: factory)
        linkPixelSetMissing = Counter(label: prefix + "link_pixel_set_missing_total", factory: factory)
        droppedQueueFull = Counter(label: prefix + "dropped_total", dimensions: [("reason", "queue_full")], factory: factory)
        droppedShutdown = Counter(label: prefix + "dropped_total", dimensions: [("reason", "shutdown")], factory: factory)
        droppedUnackedOverflow = Counter(
            label: prefix + "dropped_total", dimensions: [("reason", "unacked_overflow")], factory: factory)
        droppedSpoolFull = Counter(label: prefix + "dropped_total", dimensions: [("reason", "spool_full")], factory: factory)
        droppedSpoolError = Counter(label: prefix + "dropped_total", dimensions: [("reason", "spool_error")], factory: factory)
        var httpErrors: [Int: Counter] = [:]
        for status in Self.countedErrorStatuses {
            httpErrors[status] = Counter(
                label: prefix + "http_errors_total", dimensions: [("status", String(status))], factory: factory)
        }
        self.httpErrors = httpErrors
        batchesSent = Counter(label: prefix + "batches_sent_total", factory: factory)
        batchesResent = Counter(label: prefix + "batches_resent_total", factory: factory)
        eventsSent = Counter(label: prefix + "events_sent_total", factory: factory)
        let ack = { (status: String) in
            Counter(label: prefix + "batch_acks_total", dimensions: [("status", status)], factory: factory)
        }
        acksAccepted = ack("accepted")
        acksDuplicate = ack("duplicate")
        acksRejected = ack("rejected")
        acksInvalid = ack("invalid")
        queuedBatches = Gauge(label: prefix + "queued_batches", factory: factory)
        unackedBatches = Gauge(label: prefix + "unacked_batches", factory: factory)
        spoolBytes = Gauge(label: prefix + "spool_bytes", factory: factory)
        spoolBytes.record(0)
        aggregatorUp = Gauge(label: prefix + "aggregator_up", factory: factory)
        aggregatorUp.record(0)
    }

    /// Counts an accepted hit.
    @inline(__always)
    func countHit(_ kind: EventKind) {
        hits[Int(kind.rawValue)].increment()
    }

    /// Counts a hit that was answered but not recorded.
    func countDropped(_ reason: HitBatcher.DropReason) {
        switch reason {
        case .queueFull: droppedQueueFull.increment()
        case .spoolFull: droppedSpoolFull.increment()
        case .spoolError: droppedSpoolError.increment()
        }
    }

    /// Counts a rejected request.
    func countRejection(_ reason: RejectReason) {
        rejections[reason]?.increment()
    }

    /// Counts a hit recorded as a bot's.
    func countBot(from source: HitRecorder.Source) {
        bots[source]?.increment()
    }

    /// Counts a tracking-link click answered with a redirect, or with the pixel page.
    func countLinkClick(pixelPage: Bool) {
        (pixelPage ? linkPixelPages : linkRedirects).increment()
    }

    /// Counts a click on a link naming a pixel set that is not loaded.
    func countPixelSetMissing() {
        linkPixelSetMissing.increment()
    }

    /// Counts a refused tracking link.
    func countLinkRefusal(_ reason: LinkRefusal) {
        linkRefusals[reason]?.increment()
    }

    /// Counts an error answer, if its status is one of ``countedErrorStatuses``.
    func countHTTPError(status: Int) {
        httpErrors[status]?.increment()
    }
}
