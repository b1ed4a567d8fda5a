import CZeroMQ

/// Facts about the libzmq library the process runs with.
public enum LibZMQ {
    /// The runtime libzmq version, such as `(4, 3, 4)`.
    public static var version: (major: Int, minor: Int, patch: Int) {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (Int(major), Int(minor), Int(patch))
    }

    /// Whether libzmq was built with a capability (`zmq_has`).
    ///
    /// - Parameter capability: `"curve"`, `"ipc"`, `"draft"`, `"gssapi"`, …
    /// - Returns: `true` when the capability is available.
    public static func has(_ capability: String) -> Bool {
        zmq_has(capability) != 0
    }
}
