/// Percent-encoding normalization of one URL component (RFC 3986 §2.1, §2.3, §6.2.2.2).
enum PercentEncoding {
    private static let hex = Array("0123456789ABCDEF".utf8)

    /// Characters that stand for themselves anywhere in a path or query: unreserved, sub-delims, `:` and `@`.
    private static let allowed: Set<UInt8> = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@".utf8)
    private static let unreserved: Set<UInt8> = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    /// `text` with escapes in uppercase, escaped unreserved characters decoded, a `%` that starts no
    /// escape written `%25`, and every other byte outside `allowed` and `extra` escaped (UTF-8).
    static func normalize(_ text: String, keeping extra: String) -> String {
        let extra = Set(extra.utf8)
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "%"), i + 2 < bytes.count, let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) {
                let decoded = high << 4 | low
                if unreserved.contains(decoded) { out.append(decoded) } else { escape(decoded, into: &out) }
                i += 3
                continue
            }
            if allowed.contains(byte) || extra.contains(byte) { out.append(byte) } else { escape(byte, into: &out) }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes `%XX` for `byte`.
    static func escape(_ byte: UInt8, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "%"))
        out.append(hex[Int(byte >> 4)])
        out.append(hex[Int(byte & 0xf)])
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
