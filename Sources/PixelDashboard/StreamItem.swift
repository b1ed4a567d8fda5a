import NIOCore

/// What one SSE stream sends next.
enum StreamItem: Sendable {
    /// A complete state: the first event, and after a restart, a resync or a recovery.
    case state(DashboardState)
    case message(DashboardMessage)
    /// The feed has been silent since this time (ms since the epoch).
    case stale(since: Int64)
    case keepAlive

    /// The event as SSE text: `event:`, `id:` and one `data:` line (feed bodies are one
    /// line of JSON), or a comment.
    func encoded(prefix: String, into buffer: inout ByteBuffer) {
        switch self {
        case .state(let state):
            buffer.writeString("event: state\nid: \(state.seq)\ndata: ")
            buffer.writeBytes(state.document(prefix: prefix))
            buffer.writeString("\n\n")
        case .message(let message):
            buffer.writeString("event: \(message.kind.rawValue)\nid: \(message.seq)\ndata: ")
            buffer.writeBytes(message.body)
            buffer.writeString("\n\n")
        case .stale(let since):
            buffer.writeString("event: stale\ndata: {\"since\":\(since)}\n\n")
        case .keepAlive:
            buffer.writeString(": keep-alive\n\n")
        }
    }
}
