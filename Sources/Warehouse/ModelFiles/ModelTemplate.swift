/// The `{{ … }}` macros of a model file's SQL and their replacement.
///
/// A macro is a name (`{{ this }}`) or a call with quoted arguments (`{{ ref('dim_device') }}`,
/// `{{ raw_column("orders", "lines") }}`); arguments are single- or double-quoted text without
/// escapes. The compiler (``ModelCompiler``) says what each name means.
struct ModelTemplate {
    /// One macro as written.
    struct Call: Sendable, Hashable {
        var name: String
        var arguments: [String]
        /// The 1-based line of the file it is on.
        var line: Int
        /// The whole `{{ … }}` text.
        var text: String
    }

    /// SQL lines with their line numbers in the file.
    let lines: [(line: Int, text: String)]
    let path: String

    /// The SQL with every macro replaced by what `replace` returns for it.
    /// - Parameter replace: the SQL of a macro; throws to report a misused one.
    func render(_ replace: (Call) throws -> SQL) throws -> SQL {
        var output: SQL = ""
        for (index, entry) in lines.enumerated() {
            if index > 0 { output = output + "\n" }
            var rest = Substring(entry.text)
            while let open = rest.range(of: "{{") {
                output = output + SQL(unescaped: String(rest[..<open.lowerBound]))
                guard let close = rest[open.upperBound...].range(of: "}}") else {
                    throw ModelFileError(path: path, line: entry.line, problem: "`{{` without a closing `}}`")
                }
                let text = String(rest[open.lowerBound..<close.upperBound])
                let call = try parse(String(rest[open.upperBound..<close.lowerBound]), text: text, line: entry.line)
                output = output + (try replace(call))
                rest = rest[close.upperBound...]
            }
            output = output + SQL(unescaped: String(rest))
        }
        return output
    }

    /// Parses the inside of `{{ … }}`: `name` or `name('a', "b")`.
    private func parse(_ inside: String, text: String, line: Int) throws -> Call {
        func invalid(_ problem: String) -> ModelFileError {
            ModelFileError(path: path, line: line, problem: "\(text): \(problem)")
        }
        var rest = Substring(inside).drop { $0 == " " }
        let name = String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
        guard !name.isEmpty else { throw invalid("expected a macro name such as ref, raw, this or var") }
        rest = rest.dropFirst(name.count).drop { $0 == " " }
        var arguments: [String] = []
        if rest.first == "(" {
            rest = rest.dropFirst().drop { $0 == " " }
            while rest.first != ")" {
                guard let quote = rest.first, quote == "'" || quote == "\"" else {
                    throw invalid("arguments are quoted text, like ref('model')")
                }
                rest = rest.dropFirst()
                guard let end = rest.firstIndex(of: quote) else { throw invalid("an argument's quote is not closed") }
                arguments.append(String(rest[..<end]))
                rest = rest[rest.index(after: end)...].drop { $0 == " " }
                if rest.first == "," { rest = rest.dropFirst().drop { $0 == " " } } else if rest.first != ")" {
                    throw invalid("expected `,` or `)` after an argument")
                }
            }
            rest = rest.dropFirst().drop { $0 == " " }
        }
        guard rest.isEmpty else { throw invalid("unexpected `\(rest)`") }
        return Call(name: name, arguments: arguments, line: line, text: text)
    }
}
