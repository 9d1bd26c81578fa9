/// Heading text as a key segment: lower-case letters and digits, other runs become `-`.
///
/// Non-ASCII letters are kept (lower-cased); backticks, punctuation and emoji are dropped.
func slugify(_ text: String) -> String {
    var out = ""
    var pendingDash = false
    for scalar in text.lowercased().unicodeScalars {
        let v = scalar.value
        // In ASCII only the letters are alphabetic; the (slower) Unicode property lookup is for the rest.
        let isWord =
            scalar.isASCII
            ? (v >= 97 && v <= 122) || (v >= 65 && v <= 90) || (v >= 48 && v <= 57)
            : scalar.properties.isAlphabetic
        if isWord && v != 95 {
            if pendingDash && !out.isEmpty { out.append("-") }
            pendingDash = false
            out.unicodeScalars.append(scalar)
        } else {
            pendingDash = true
        }
    }
    return out
}
