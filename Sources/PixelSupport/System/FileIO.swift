#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file operations the logs and checkpoints need, each naming what failed.
public enum FileIO {
    /// Opens `path` for appending, creating it if needed.
    public static func openForAppending(_ path: String) throws(SystemCallError) -> Int32 {
        try systemCall("open \(path)") { open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644) }
    }

    /// Writes all of `bytes`, resuming after partial writes and interruptions.
    public static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) throws(SystemCallError) {
        var written = 0
        while written < bytes.count {
            written += try systemCall("write") { write(descriptor, bytes.baseAddress! + written, bytes.count - written) }
        }
    }

    /// Writes all of `bytes`, resuming after partial writes and interruptions.
    public static func writeAll(_ bytes: [UInt8], to descriptor: Int32) throws(SystemCallError) {
        let failure = bytes.withUnsafeBytes { raw -> SystemCallError? in
            do throws(SystemCallError) {
                try writeAll(raw, to: descriptor)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// Cuts the file at `path` to `length` bytes.
    public static func cut(_ path: String, to length: Int) throws(SystemCallError) {
        try systemCall("truncate \(path)") { truncate(path, off_t(length)) }
    }

    /// Makes a new or renamed file's directory entry durable. Best effort: a directory that
    /// cannot be opened has nothing to sync.
    public static func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
