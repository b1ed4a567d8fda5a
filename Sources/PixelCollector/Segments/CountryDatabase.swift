import CMaxMindDB
public import PixelCore

/// A MaxMind-format country database (GeoLite2-Country or -City, DB-IP Lite Country, or any
/// `.mmdb` whose records hold `country.iso_code`), read-only and memory-mapped, shared by
/// every event loop: the hit's address is looked up at the collector and only its country
/// code travels on; the address never leaves the collector.
public final class CountryDatabase: @unchecked Sendable {  // libmaxminddb lookups on an opened database are thread-safe
    private let database: UnsafeMutablePointer<MMDB_s>
    /// The file it was opened from.
    public let path: String
    /// Its `database_type` (`GeoLite2-Country`, `DBIP-Country-Lite`…).
    public let type: String
    /// When it was built, seconds since the Unix epoch.
    public let builtAt: UInt64

    /// Opens `path`.
    ///
    /// - Throws: ``CountryDatabaseError`` with libmaxminddb's reason.
    public init(path: String) throws(CountryDatabaseError) {
        database = .allocate(capacity: 1)
        let status = MMDB_open(path, UInt32(MMDB_MODE_MMAP), database)
        guard status == MMDB_SUCCESS else {
            database.deallocate()
            throw CountryDatabaseError(path: path, reason: String(cString: MMDB_strerror(status)))
        }
        self.path = path
        type = String(cString: database.pointee.metadata.database_type)
        builtAt = database.pointee.metadata.build_epoch
    }

    deinit {
        MMDB_close(database)
        database.deallocate()
    }

    /// The country of an IPv4 or IPv6 address in text form; `nil` when the database has
    /// none for it or the text is not an address. `country.iso_code` first, then
    /// `registered_country.iso_code` (an address of a network with no located users).
    public func country(of address: String) -> CountryCode? {
        var addressError: Int32 = 0
        var databaseError: Int32 = 0
        var result = MMDB_lookup_string(database, address, &addressError, &databaseError)
        guard addressError == 0, databaseError == MMDB_SUCCESS, result.found_entry else { return nil }
        for field in ["country", "registered_country"] {
            if let code = isoCode(in: &result.entry, field: field) { return code }
        }
        return nil
    }

    private func isoCode(in entry: inout MMDB_entry_s, field: String) -> CountryCode? {
        var data = MMDB_entry_data_s()
        let status = field.withCString { field in
            "iso_code".withCString { key in
                var path: [UnsafePointer<CChar>?] = [field, key, nil]
                return MMDB_aget_value(&entry, &data, &path)
            }
        }
        guard status == MMDB_SUCCESS, data.has_data, data.type == UInt32(MMDB_DATA_TYPE_UTF8_STRING), data.data_size == 2 else {
            return nil
        }
        let bytes = UnsafeRawBufferPointer(start: data.utf8_string, count: 2)
        return CountryCode(String(decoding: bytes, as: UTF8.self))
    }
}

/// Why a country database could not be opened.
public struct CountryDatabaseError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String

    public var description: String {
        "\(path): \(reason); give a GeoLite2-Country or DB-IP Lite Country .mmdb file"
    }
}
