import Logging
import PixelAggregator
import ServiceLifecycle
import UnixSignals
import ZeroMQ

/// Reloads the alert rules file on SIGHUP. A file that does not parse or check is refused
/// with its line and field, and the rules in force stay; open incidents survive a reload.
struct AlertRulesReloader: Service {
    /// `nil` when the built-in rules are in force: SIGHUP then changes nothing.
    let file: AlertRuleFile?
    let aggregator: Aggregator
    let logger: Logger
    /// Resolved once SIGHUP is trapped (before that, it would end the process).
    let trapping = OneShot<Void>()

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        trapping.succeed(())
        for await _ in signals.cancelOnGracefulShutdown() {
            guard let file else {
                say("alert rules: SIGHUP ignored, no --alert-rules file (the built-in rules stay)")
                continue
            }
            do {
                let rules = try await aggregator.reloadAlertRules(from: file)
                say("alert rules: \(rules.count) loaded from \(file.path)")
            } catch {
                let kept = await aggregator.alertRules.count
                logger.error("alert rules not reloaded", metadata: ["error": "\(error)"])
                say("alert rules not reloaded: \(error); keeping the \(kept) rule\(kept == 1 ? "" : "s") in force")
            }
        }
    }
}
