/// One feed message as the dashboard keeps and streams it: its kind, topic, `seq`, the
/// feed's JSON body byte for byte, and that body as an SSE event, encoded once for every
/// stream.
public struct DashboardMessage: Sendable, Hashable {
    /// The SSE event name of each kind.
    public enum Kind: String, Sendable, Hashable {
        case stats, alert, heartbeat
    }

    public let kind: Kind
    /// The feed topic (`stats/c/p/`, `alerts/c/*/`, `heartbeat/`).
    public let topic: String
    public let seq: UInt64
    /// The feed's JSON body: one line.
    public let body: [UInt8]
    /// `event: KIND\nid: SEQ\ndata: BODY\n\n`.
    let event: [UInt8]

    public init(kind: Kind, topic: String, seq: UInt64, body: [UInt8]) {
        self.kind = kind
        self.topic = topic
        self.seq = seq
        self.body = body
        var event = Array("event: \(kind.rawValue)\nid: \(seq)\ndata: ".utf8)
        event.reserveCapacity(event.count + body.count + 2)
        event += body
        event += [0x0A, 0x0A]
        self.event = event
    }
}
