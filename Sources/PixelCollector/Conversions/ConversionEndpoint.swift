import NIOCore
import PixelCore

/// `POST /v1/conversions` and `GET /v1/postback`: conversions reported by backends and
/// affiliate networks, checked, counted through the aggregator, and answered with each
/// item's fate.
///
/// The valid items of a request go out as one batch of their own that asks the aggregator
/// for each event's fate (with a spool, written to it first, like every hit); the answer
/// waits for the ack up to ``confirmTimeout``, after which the items not yet confirmed are
/// answered `pending` — stored, on their way, and counted once whatever happens next.
struct ConversionEndpoint: Sendable {
    let tokens: ConversionTokens
    let rules: ConversionRules
    let batcher: HitBatcher
    let metrics: ConversionMetrics
    /// How long an answer waits for the aggregator's verdict.
    let confirmTimeout: TimeAmount

    /// Why `token` may not report conversions; `nil` when it may.
    func refusal(token: String?) -> ConversionRequest.Refusal? {
        guard tokens.count > 0 else {
            return .init(
                reason: .noTokens,
                message: "conversions are off: this collector has no tokens (--conversion-tokens-file or PIXELPULSE_CONVERSION_TOKENS)")
        }
        guard let token, tokens.admits(token) else {
            return .init(reason: .unauthorized, message: "a valid token is required (Authorization: Bearer …, or token= on a postback)")
        }
        return nil
    }

    /// Checks `items`, sends the valid ones, and completes with every item's fate.
    func report(_ items: [ConversionItem], on eventLoop: any EventLoop) -> EventLoopFuture<ConversionReport> {
        let now = WallClock.milliseconds()
        var report = ConversionReport(fates: [])
        var hits: [HitEvent] = []
        var sent: [Int] = []  // the item index of each hit
        for (index, item) in items.enumerated() {
            switch rules.hit(for: item, now: now) {
            case .success(let hit):
                report.fates.append(.pending)
                hits.append(hit)
                sent.append(index)
            case .failure(let refusal):
                report.fates.append(.invalid(refusal))
            }
        }
        guard !hits.isEmpty else { return answered(report, on: eventLoop) }
        let verdict = eventLoop.makePromise(of: FateWaiters.Answer.self)
        switch batcher.submit(hits, waiting: verdict) {
        case .failure(let reason):
            verdict.succeed(nil)
            for index in sent { report.fates[index] = .failed(Self.message(reason)) }
            return answered(report, on: eventLoop)
        case .success(let (sequence, stored)):
            for index in sent[stored...] { report.fates[index] = .failed("not stored: the batch was full; send it again") }
            let fates = batcher.fates
            let timeout = eventLoop.scheduleTask(in: confirmTimeout) {
                if fates.cancel(sequence) { verdict.succeed(nil) }
            }
            // An event loop shutting down cancels the timer: the answer is then `pending`
            // too, so no report is left without one.
            timeout.futureResult.whenFailure { _ in
                if fates.cancel(sequence) { verdict.succeed(nil) }
            }
            return verdict.futureResult.flatMap { [report, sent] fates in
                timeout.cancel()
                var report = report
                if let fates, fates.count >= stored {
                    for (position, index) in sent.prefix(stored).enumerated() { report.fates[index] = ConversionReport.fate(fates[position]) }
                }
                return answered(report, on: eventLoop)
            }
        }
    }

    private func answered(_ report: ConversionReport, on eventLoop: any EventLoop) -> EventLoopFuture<ConversionReport> {
        metrics.count(report)
        return eventLoop.makeSucceededFuture(report)
    }

    private static func message(_ reason: HitBatcher.DropReason) -> String {
        switch reason {
        case .queueFull: "not stored: the collector's queue is full while the aggregator is away; send it again"
        case .spoolFull: "not stored: the collector's spool is full (--spool-limit-mb); send it again"
        case .spoolError: "not stored: writing to the collector's spool failed; send it again"
        }
    }
}
