/// A line diff of two texts, for showing what changed in a step's code: unchanged lines start
/// with a space, removed ones with `-`, added ones with `+` (longest common subsequence).
func lineDiff(_ old: String, _ new: String) -> [String] {
    let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let lhs = a.last == "" ? Array(a.dropLast()) : a
    let rhs = b.last == "" ? Array(b.dropLast()) : b
    // Code blocks are short; past this size a plain before/after is clearer than an LCS table.
    guard lhs.count * rhs.count <= 250_000 else { return lhs.map { "-" + $0 } + rhs.map { "+" + $0 } }
    var lengths = [[Int]](repeating: [Int](repeating: 0, count: rhs.count + 1), count: lhs.count + 1)
    for i in stride(from: lhs.count - 1, through: 0, by: -1) {
        for j in stride(from: rhs.count - 1, through: 0, by: -1) {
            lengths[i][j] = lhs[i] == rhs[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
        }
    }
    var out: [String] = []
    var i = 0
    var j = 0
    while i < lhs.count || j < rhs.count {
        if i < lhs.count, j < rhs.count, lhs[i] == rhs[j] {
            out.append(" " + lhs[i])
            i += 1
            j += 1
        } else if i < lhs.count, j == rhs.count || lengths[i + 1][j] >= lengths[i][j + 1] {
            out.append("-" + lhs[i])
            i += 1
        } else {
            out.append("+" + rhs[j])
            j += 1
        }
    }
    return out
}
