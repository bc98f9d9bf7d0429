/// Case-insensitive comparison of nicks and channel names under `CASEMAPPING=ascii`:
/// only `A`–`Z` fold to `a`–`z`. The folded form is the key of every nick and channel index.
public enum CaseMapping {
    public static func fold(_ name: String) -> String {
        if !name.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) {
            return name
        }
        return String(decoding: name.utf8.map { byte in
            byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
        }, as: UTF8.self)
    }
}
