import Logging
import PixelAggregator
import PixelAlerts

/// The aggregator's alert rules file and allowlist files, read again on SIGHUP. Open
/// incidents survive a reload of the rules; connections already admitted survive one of
/// the lists.
struct AggregatorReload: HangupReload {
    /// `nil` when the built-in rules are in force: SIGHUP then leaves them.
    let alertRules: AlertRuleFile?
    /// `nil` without CURVE.
    let allowlists: (files: AllowlistFiles, security: TransportSecurity)?
    let aggregator: Aggregator
    let logger: Logger

    func reload() async {
        await reloadAlertRules()
        reloadAllowlists()
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
