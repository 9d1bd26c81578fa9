/// Which steps reuse a key an earlier step has, found without a dictionary of every key: the
/// steps' key hashes (32 bits of them) and numbers, sorted, take 8 bytes a step, where a
/// `[String: Int]` of 30,000 keys took 1.6 MB (53 bytes a step) at the parse's peak, which is
/// also a run's. Keys of equal hashes are compared as text: 32 bits make about one such pair
/// among 100,000 keys.
enum DuplicateKeys {
    /// For each step whose key an earlier step already has, the index of the first step with it.
    /// (`hash` is the keys' own but for a test, which gives different keys equal hashes.)
    static func firstUses(in steps: [Step], hash: (String) -> UInt32 = { UInt32(truncatingIfNeeded: $0.hashValue) }) -> [Int: Int] {
        var pairs: [(hash: UInt32, index: Int32)] = []
        pairs.reserveCapacity(steps.count)
        for index in steps.indices { pairs.append((hash(steps[index].key), Int32(index))) }
        pairs.sort { $0.hash != $1.hash ? $0.hash < $1.hash : $0.index < $1.index }
        var firstUse: [Int: Int] = [:]
        var start = 0
        while start < pairs.count {
            var end = start + 1
            while end < pairs.count && pairs[end].hash == pairs[start].hash { end += 1 }
            // Equal hashes: compare the keys themselves, each with the first step of every distinct
            // key in the group so far (the group is in step order; nearly always one key).
            var firsts: [Int] = [Int(pairs[start].index)]
            for later in pairs[(start + 1)..<end] {
                let index = Int(later.index)
                if let first = firsts.first(where: { steps[$0].key == steps[index].key }) {
                    firstUse[index] = first
                } else {
                    firsts.append(index)
                }
            }
            start = end
        }
        return firstUse
    }
}
