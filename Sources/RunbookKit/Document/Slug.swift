/// Heading text as a key segment: lower-case letters and digits, other runs become `-`.
///
/// Non-ASCII letters are kept (lower-cased); backticks, punctuation and emoji are dropped.
func slugify(_ text: String) -> String {
    var out = ""
    var pendingDash = false
    for scalar in text.lowercased().unicodeScalars {
        let isWord = scalar.properties.isAlphabetic || (scalar.value >= 48 && scalar.value <= 57)
        if isWord && scalar.value != 95 {
            if pendingDash && !out.isEmpty { out.append("-") }
            pendingDash = false
            out.unicodeScalars.append(scalar)
        } else {
            pendingDash = true
        }
    }
    return out
}
