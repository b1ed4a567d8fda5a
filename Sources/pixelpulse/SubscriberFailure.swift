import ArgumentParser
import Foundation
import PixelSupport

/// Why a subscriber command (`watch`, `alerts`, `top`) gives up: the cause and the fix in
/// words, printed on standard error, and the exit status.
struct SubscriberFailure: Error, CustomStringConvertible {
    var description: String
    /// 1: the aggregator answered, but cannot give what was asked; 2: nothing arrived.
    var exitCode: Int32

    /// `--window` names windows the aggregator does not keep.
    static func unknownWindows(_ unknown: [String], kept: [String], source: String) -> Self {
        Self(description: """
            --window \(unknown.joined(separator: ",")): the aggregator at \(source) keeps only the windows \
            \(kept.joined(separator: ", ")); choose among them\(kept.count > 1 ? " (or leave --window out for all)" : "")
            """, exitCode: 1)
    }

    /// No first snapshot within the timeout, with what the probe of the feed saw.
    static func nothingArrived(
        feed: String, snapshot: String, timeout: Duration, finding: FeedProbe.Finding, usesCurve: Bool
    ) -> Self {
        let head = "nothing arrived from the aggregator at \(feed) within \(String(format: "%g", timeout.inSeconds)) s (--timeout)"
        let giveKey = "give its public key with --aggregator-key KEY or FILE.pub"
        let cause: String
        switch finding {
        case .heartbeat:
            cause = """
                its heartbeats arrive, but the snapshot endpoint \(snapshot) did not answer: check --snapshot \
                (the aggregator prints "snapshot: …" when it starts)
                """
        case .mechanismMismatch:
            cause = usesCurve
                ? "the aggregator does not use CURVE: leave --aggregator-key out"
                : "the aggregator uses CURVE (it printed \"curve: on\"): \(giveKey)"
        case .keyNotAllowed:
            cause = "the aggregator lists its subscribers and this key is not among them: give --client-key with a key pair it lists"
        case .handshakeBroken:
            cause = usesCurve
                ? """
                    the handshake was broken off: check that --aggregator-key is the aggregator's public key, and that \
                    \(feed) is its feed endpoint (it prints "feed: …" when it starts)
                    """
                : """
                    a peer there broke the handshake off: if the aggregator uses CURVE (it printed "curve: on"), \
                    \(giveKey); else is \(feed) its feed endpoint (it prints "feed: …" when it starts), not its \
                    snapshot endpoint or a collector's HTTP port?
                    """
        case .handshakeSucceeded:
            cause = """
                a peer there accepted the connection but sent no heartbeat: is \(feed) the aggregator's feed endpoint \
                (it prints "feed: …" when it starts), not its ingest endpoint?
                """
        case .connected:
            cause = """
                a connection was made, but no handshake completed; if the aggregator uses CURVE (it printed \
                "curve: on"), \(giveKey)
                """
        case .nothing, .connecting:
            cause = """
                nothing accepted the connection: is the aggregator running, and is \(feed) its feed endpoint \
                (it prints "feed: …" when it starts; --connect and --snapshot give the endpoints)? If it uses \
                CURVE, \(giveKey)
                """
        }
        return Self(description: "\(head).\n  \(cause)", exitCode: 2)
    }

    /// Runs `body`; a failure is printed on standard error as `Error: …` and becomes the exit status.
    static func reported(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as SubscriberFailure {
            FileHandle.standardError.write(Data("Error: \(failure.description)\n".utf8))
            throw ExitCode(failure.exitCode)
        }
    }
}
