import Foundation
import Testing

extension Paths {
    static let dashboardCheck = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("dashboard_check.py")
}

/// The dashboard page in headless Chromium against a live `pixelpulse serve` and a
/// `pixelpulse dashboard` of its own (`dashboard_check.py`, Selenium): the numbers shown
/// are the aggregator's snapshot exactly, new hits show without a reload, stopping the
/// aggregator shows the stale state and starting it again brings the page back. The
/// screenshots it writes are printed (`screenshot: PATH`) for a person to look at.
@Suite(.serialized) struct DashboardBrowserTests {
    @Test(.timeLimit(.minutes(10))) func thePageShowsTheSnapshotFollowsTheFeedAndTellsWhenItIsStale() async throws {
        let checker = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", Paths.dashboardCheck.path, "--pixelpulse", try Paths.pixelpulse.path,
        ], withErrors: true)
        let verdict = try await checker.line(startingWithAnyOf: ["done", "FAIL", "Traceback"], timeout: .seconds(480))
        for screenshot in checker.linesRead where screenshot.hasPrefix("screenshot:") { print("dashboard \(screenshot)") }
        #expect(verdict == "done", "\(checker.linesRead.suffix(30).joined(separator: "\n"))")
        #expect(try await checker.exitStatus() == 0)
    }
}
