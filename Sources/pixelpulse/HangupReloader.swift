import Logging
import PixelAggregator
import PixelAlerts
import PixelSupport
import ServiceLifecycle
import UnixSignals
import ZeroMQ

/// Reads the alert rules file and the allowlist files again on SIGHUP. A file that does not
/// parse or check is refused with the reason, and what is in force stays. Open incidents
/// survive a reload of the rules; connections already admitted survive one of the lists.
struct HangupReloader: Service {
    /// `nil` when the built-in rules are in force: SIGHUP then leaves them.
    let alertRules: AlertRuleFile?
    /// `nil` without CURVE.
    let allowlists: (files: AllowlistFiles, security: TransportSecurity)?
    let aggregator: Aggregator
    let logger: Logger
    /// Resolved once SIGHUP is trapped (before that, it would end the process).
    let trapping = OneShot<Void>()

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        trapping.succeed(())
        for await _ in signals.cancelOnGracefulShutdown() {
            await reloadAlertRules()
            reloadAllowlists()
        }
    }

    private func reloadAlertRules() async {
        guard let file = alertRules else {
            return say("alert rules: SIGHUP ignored, no --alert-rules file (the built-in rules stay)")
        }
        do {
            let rules = try await aggregator.reloadAlertRules(from: file)
            say("alert rules: \(rules.count) loaded from \(file.path)")
        } catch {
            let kept = await aggregator.alertRules.count
            logger.error("Alert rules not reloaded", metadata: ["error": "\(error)"])
            say("alert rules not reloaded: \(error); keeping the \(kept) rule\(kept == 1 ? "" : "s") in force")
        }
    }

    private func reloadAllowlists() {
        guard let (files, security) = allowlists else { return }
        do {
            let lists = try files.load()
            security.replaceAllowlists(lists)
            say("allowlists: \(lists.summary), from \(files.paths)")
        } catch {
            logger.error("Allowlists not reloaded", metadata: ["error": "\(error)"])
            say("allowlists not reloaded: \(error); keeping \(security.allowlists.summary)")
        }
    }
}
