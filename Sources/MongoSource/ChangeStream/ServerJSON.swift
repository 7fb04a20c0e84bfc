import EnergizeCore

/// Values a server wrote into a change event as JSON instead of BSON, read as the values a batch
/// read of the same document gives: MongoDB Extended JSON's `{"$date": "…"}` and
/// `{"$numberDecimal": "…"}`, and `{"__neosqlite_objectid__": true, "id": "…"}` (an ObjectId as the
/// MongoDB wire-protocol server nx-27017 embeds it). A real MongoDB sends BSON: its events pass
/// through unchanged (a field cannot be named `$date` there).
enum ServerJSON {
    /// `document` with every such value, at any depth, read as its BSON value.
    static func normalized(_ document: Document) -> Document {
        var copy = document
        copy.fields = document.fields.map { Field($0.name, normalized($0.value)) }
        return copy
    }

    /// `value` read as its BSON value when it is one of the JSON forms, its parts normalized otherwise.
    static func normalized(_ value: Value) -> Value {
        switch value {
        case .document(let document):
            if document.fields.count == 1, document.fields[0].name == "$date", case .string(let text) = document.fields[0].value,
               let milliseconds = isoMilliseconds(text) {
                return .date(milliseconds)
            }
            if document.fields.count == 1, document.fields[0].name == "$numberDecimal", case .string(let digits) = document.fields[0].value {
                return .decimal(digits)
            }
            if document.fields.count == 2, document["__neosqlite_objectid__"] == .bool(true), case .string(let hex)? = document["id"],
               hex.utf8.count == 24 {
                return .objectId(hex.lowercased())
            }
            return .document(normalized(document))
        case .array(let elements):
            return .array(elements.map(normalized))
        default:
            return value
        }
    }

    /// `2025-07-06T00:20:02.769`, with up to nine digits of fraction and an optional `Z` or
    /// `+00:00` (the time is UTC), as milliseconds since the epoch; nil for any other text.
    static func isoMilliseconds(_ text: String) -> Int64? {
        var rest = Substring(text)
        if rest.hasSuffix("Z") { rest = rest.dropLast() } else if rest.hasSuffix("+00:00") { rest = rest.dropLast(6) }
        let parts = rest.split(separator: "T", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let date = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        let clock = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard date.count == 3, clock.count == 3, let year = Int64(date[0]), let month = Int(date[1]), let day = Int(date[2]),
              let hour = Int(clock[0]), let minute = Int(clock[1]), (1...12).contains(month), (1...31).contains(day),
              (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        let seconds = clock[2].split(separator: ".", omittingEmptySubsequences: false)
        guard let second = Int(seconds[0]), (0...60).contains(second), seconds.count <= 2 else { return nil }
        var millisecond = 0
        if seconds.count == 2 {
            let fraction = seconds[1]
            guard !fraction.isEmpty, fraction.count <= 9, fraction.allSatisfy(\.isNumber) else { return nil }
            millisecond = Int(String(fraction.prefix(3)).padding(toLength: 3, withPad: "0", startingAt: 0))!
        }
        return CivilTime.milliseconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millisecond: millisecond)
    }
}
