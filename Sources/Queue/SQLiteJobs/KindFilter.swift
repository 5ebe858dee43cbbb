/// A condition on a job's kind, as SQL and the values it binds: nothing for every kind, else
/// `AND kind IN (?n, ...)` numbered from `firstParameter`. A worker's kinds are fixed, so each worker
/// prepares one statement per query.
struct KindFilter {
    let condition: String
    let values: [SQLValue]

    init(_ kinds: [String]?, firstParameter: Int) {
        guard let kinds else {
            condition = ""
            values = []
            return
        }
        let placeholders = kinds.indices.map { "?\(firstParameter + $0)" }.joined(separator: ", ")
        condition = " AND kind IN (\(placeholders))"
        values = kinds.map(SQLValue.text)
    }
}
