#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A system call that failed: which call, and the `errno` it left.
public struct SystemCallError: Error, Hashable, CustomStringConvertible {
    /// The call, as in `open spool-0000000000000001.log` or `fdatasync`.
    public let call: String
    public let errno: Int32

    public init(_ call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    public var description: String { "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))" }
}

/// Runs a system call that returns a negative number and sets `errno` on failure, again
/// while it is interrupted (`EINTR`); throws an error naming the call otherwise.
@discardableResult
public func systemCall<Result: FixedWidthInteger>(_ call: @autoclosure () -> String, _ body: () -> Result) throws(SystemCallError) -> Result {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = errno
        if code != EINTR { throw SystemCallError(call(), errno: code) }
    }
}
