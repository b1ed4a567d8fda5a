import Foundation
import Logging
import PixelCollector

/// The collector's conversion tokens file, read again on SIGHUP (with the tokens of
/// `PIXELPULSE_CONVERSION_TOKENS`, which stay): a broken file is refused and the tokens in
/// force stay.
struct ConversionTokenReload: HangupReload {
    let source: ConversionTokenSource
    let tokens: ConversionTokens
    let logger: Logger

    func reload() async {
        guard let file = source.file else { return }
        do {
            let loaded = try source.load()
            tokens.replace(with: loaded)
            say("conversion tokens: \(LinkReload.count(loaded.count, "token")) loaded from \(file.path)")
        } catch {
            logger.error("Conversion tokens not reloaded", metadata: ["error": "\(error)"])
            say("conversion tokens not reloaded: \(error); keeping the \(LinkReload.count(tokens.count, "token")) in force")
        }
    }
}
