internal import CMongoC
import EnergizeCore
import Foundation

/// Documents written as MongoDB Extended JSON (relaxed or canonical: `{"$date": …}`,
/// `{"$oid": …}`, `{"$numberDecimal": …}`), parsed by libbson.
package enum ExtendedJSON {
    /// The documents of a JSON text: one array of documents, or one document per line
    /// (JSON Lines; blank lines are skipped).
    /// - Parameters:
    ///   - text: the JSON text.
    ///   - source: names the text in errors (a file path).
    /// - Returns: the documents, in order.
    /// - Throws: `MongoError` naming the source, the line (JSON Lines) and libbson's message.
    package static func documents(_ text: String, source: String) throws -> [Document] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("[") {
            // An array: libbson parses it as a document with keys "0", "1", …
            let wrapper = try parse("{\"documents\": \(trimmed)}", source: source)
            guard case .array(let elements)? = wrapper["documents"] else { return [] }
            return try elements.enumerated().map { index, element in
                guard case .document(let document) = element else {
                    throw MongoError(operation: "reading \(source)", message: "element \(index) of the array is not a document")
                }
                return document
            }
        }
        return try text.components(separatedBy: "\n").enumerated().compactMap { index, line in
            line.trimmingCharacters(in: .whitespaces).isEmpty ? nil : try parse(line, source: "\(source):\(index + 1)")
        }
    }

    /// One document from its Extended JSON text.
    static func parse(_ json: String, source: String) throws -> Document {
        try withBSONError { error in
            let bytes = Array(json.utf8)
            guard let bson = bson_new_from_json(bytes, bytes.count, error) else {
                throw MongoError(operation: "reading \(source)", message: "not a document in MongoDB Extended JSON: \(String(cString: energize_error_message(error)))")
            }
            defer { bson_destroy(bson) }
            return BSONDecoder().decode(bson)
        }
    }
}
