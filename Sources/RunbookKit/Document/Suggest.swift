/// Did-you-mean: the closest candidate within a small edit distance, if any.
func closestMatch(to word: String, in candidates: [String]) -> String? {
    let folded = normalizeForMatch(word)
    var best: (String, Int)?
    for candidate in candidates {
        let distance = editDistance(folded, normalizeForMatch(candidate))
        if distance == 0 { return candidate }
        if distance < (best?.1 ?? .max) { best = (candidate, distance) }
    }
    guard let (candidate, distance) = best else { return nil }
    let limit = max(1, min(3, word.count / 3))
    return distance <= limit ? candidate : nil
}

/// Lower-cased, without `-` and `_`, so `onFailure`, `on_failure` and `on-failure` match.
private func normalizeForMatch(_ s: String) -> [UInt8] {
    s.lowercased().utf8.filter { $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: "_") }
}

/// Levenshtein distance with adjacent transpositions (optimal string alignment).
func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous2 = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                current[j] = min(current[j], previous2[j - 2] + 1)
            }
        }
        previous2 = previous
        previous = current
    }
    return previous[b.count]
}
