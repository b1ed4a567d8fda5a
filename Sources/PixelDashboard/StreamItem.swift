import NIOCore

/// What one SSE stream sends next.
enum StreamItem: Sendable {
    /// A complete state: the first event, and after a restart, a resync or a recovery.
    case state(DashboardState)
    /// The messages of one feed update that the stream selects, in `seq` order: written
    /// together, so a tick costs a stream one write.
    case messages([DashboardMessage])
    /// The feed has been silent since this time (ms since the epoch).
    case stale(since: Int64)
    case keepAlive
    /// The stream fell too far behind: its connection is cut after what it was given, so
    /// the client reconnects (a response merely ended would leave it waiting).
    case cut

    /// The item as SSE text: `event:`, `id:` and one `data:` line per event (feed bodies
    /// are one line of JSON), or a comment.
    func encoded(for selection: DashboardSelection, into buffer: inout ByteBuffer) {
        switch self {
        case .state(let state):
            buffer.writeString("event: state\nid: \(state.seq)\ndata: ")
            buffer.writeBytes(state.document(for: selection))
            buffer.writeString("\n\n")
        case .messages(let messages):
            for message in messages { buffer.writeBytes(message.event) }
        case .stale(let since):
            buffer.writeString("event: stale\ndata: {\"since\":\(since)}\n\n")
        case .keepAlive:
            buffer.writeString(": keep-alive\n\n")
        case .cut:
            break
        }
    }
}
