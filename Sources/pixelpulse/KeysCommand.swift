import ArgumentParser
import Foundation
import PixelCore
import ZeroMQ

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Generate a CURVE key pair for an aggregator, a collector or a subscriber.",
        discussion: """
            Writes NAME.key (the key pair, mode 0600: keep it on the host that uses it) and
            NAME.pub (the public key as an allowlist line). For example:
              pixelpulse keys --name aggregator
              pixelpulse keys --name edge-1
              cat edge-1.pub >> collectors.allow
              pixelpulse aggregator --ingest tcp://0.0.0.0:5570 --server-key aggregator.key --allow-collectors collectors.allow
              pixelpulse collector --ingest tcp://aggregator:5570 --collector-key edge-1.key --aggregator-key aggregator.pub
            """)

    @Option(help: "The name of the key: the file names, and the name in allowlists.")
    var name: String

    @Option(help: "The folder to write NAME.key and NAME.pub into.")
    var out: String = "."

    func validate() throws {
        guard (try? CollectorID(validating: name)) != nil else {
            throw ValidationError("--name: use 1-64 of A-Z a-z 0-9 - _ .")
        }
    }

    func run() throws {
        let pair = try CurveKeyPair.generate()
        let files = try KeyFiles.write(pair, name: name, folder: URL(fileURLWithPath: out))
        say("public key: \(pair.publicKey.z85)")
        say("key pair: \(files.pair.path)")
        say("public key file: \(files.publicKey.path)")
    }
}
