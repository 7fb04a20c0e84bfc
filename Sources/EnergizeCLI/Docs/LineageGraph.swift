import Foundation

/// The project's lineage as a graph — collections, the raw tables they load, and the models built
/// from those — laid out in columns from left to right and drawn as SVG.
///
/// Columns are the longest path from a collection (a model sits right of everything it reads);
/// within a column, nodes are ordered by the mean position of what they read, twice over, so
/// edges cross less.
struct LineageGraph {
    /// What a node stands for; each kind has its colour.
    enum Kind: String, CaseIterable {
        case collection, raw, view, table, incremental, scd2, type1, other

        /// The kind of a model of materialization `name`.
        init(materialization name: String) {
            self = Kind(rawValue: name) ?? .other
        }

        var colour: String {
            switch self {
            case .collection: "#2da44e"
            case .raw: "#bf8700"
            case .view: "#54aeff"
            case .table: "#0969da"
            case .incremental: "#1f4f99"
            case .scd2: "#8250df"
            case .type1: "#bf3989"
            case .other: "#6e7781"
            }
        }

        var legend: String {
            switch self {
            case .collection: "MongoDB collection"
            case .raw: "raw table"
            case .view: "view"
            case .table: "table"
            case .incremental: "incremental table"
            case .scd2: "SCD type 2 dimension"
            case .type1: "type 1 dimension"
            case .other: "other"
            }
        }
    }

    /// One node: an id unique in the graph, the label drawn, and the page it links to (relative to the site's root).
    struct Node {
        var id: String
        var label: String
        var kind: Kind
        var href: String
    }

    private(set) var nodes: [Node] = []
    /// Edges as (from, to) node ids.
    private(set) var edges: [(String, String)] = []

    /// Adds a node (a repeated id is ignored).
    mutating func add(_ node: Node) {
        guard !nodes.contains(where: { $0.id == node.id }) else { return }
        nodes.append(node)
    }

    /// Adds an edge from the node `from` to the node `to` (both must be added; repeats are ignored).
    mutating func connect(_ from: String, _ to: String) {
        guard !edges.contains(where: { $0 == (from, to) }) else { return }
        edges.append((from, to))
    }

    private static let width = 200.0, height = 30.0, columnGap = 80.0, rowGap = 14.0, margin = 16.0

    /// The graph as an SVG element.
    /// - Parameter root: the relative path from the page that shows it to the site's root.
    func svg(root: String) -> String {
        let columns = self.columns()
        var position: [String: (x: Double, y: Double)] = [:]
        let tallest = Double(columns.map(\.count).max() ?? 0)
        for (column, ids) in columns.enumerated() {
            let offset = (tallest - Double(ids.count)) * (Self.height + Self.rowGap) / 2
            for (row, id) in ids.enumerated() {
                position[id] = (Self.margin + Double(column) * (Self.width + Self.columnGap),
                                Self.margin + offset + Double(row) * (Self.height + Self.rowGap))
            }
        }
        let svgWidth = Self.margin * 2 + Double(columns.count) * Self.width + Double(max(0, columns.count - 1)) * Self.columnGap
        let svgHeight = Self.margin * 2 + tallest * (Self.height + Self.rowGap) - Self.rowGap
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" class="lineage" width="\(Int(svgWidth))" height="\(Int(max(svgHeight, 60)))" \
            viewBox="0 0 \(Int(svgWidth)) \(Int(max(svgHeight, 60)))" role="img" aria-label="Lineage graph">
            <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">\
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#8c959f"/></marker></defs>

            """
        for (from, to) in edges {
            guard let a = position[from], let b = position[to] else { continue }
            let x1 = a.x + Self.width, y1 = a.y + Self.height / 2, x2 = b.x, y2 = b.y + Self.height / 2
            let bend = Self.columnGap / 2
            out += String(format: "<path class=\"edge\" data-from=\"%@\" data-to=\"%@\" d=\"M %.1f %.1f C %.1f %.1f, %.1f %.1f, %.1f %.1f\" fill=\"none\" stroke=\"#8c959f\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/>\n",
                          HTML.escape(from), HTML.escape(to), x1, y1, x1 + bend, y1, x2 - bend, y2, x2 - 2, y2)
        }
        for node in nodes {
            guard let p = position[node.id] else { continue }
            let label = node.label.count > 27 ? String(node.label.prefix(26)) + "…" : node.label
            out += """
                <a href="\(HTML.escape(root + node.href))"><g class="node" data-node="\(HTML.escape(node.id))" data-kind="\(node.kind.rawValue)">\
                <title>\(HTML.escape(node.label)) (\(node.kind.legend))</title>\
                <rect x="\(p.x)" y="\(p.y)" width="\(Self.width)" height="\(Self.height)" rx="5" fill="#fff" stroke="\(node.kind.colour)" stroke-width="1.5"/>\
                <rect x="\(p.x)" y="\(p.y)" width="6" height="\(Self.height)" rx="2" fill="\(node.kind.colour)"/>\
                <text x="\(p.x + 14)" y="\(p.y + Self.height / 2 + 4)" fill="#1d2430">\(HTML.escape(label))</text></g></a>

                """
        }
        return out + "</svg>"
    }

    /// The legend of the kinds the graph has.
    var legend: String {
        let kinds = Kind.allCases.filter { kind in nodes.contains { $0.kind == kind } }
        return "<p class=\"legend\">" + kinds.map { "<span><i style=\"background:\($0.colour)\"></i>\(HTML.escape($0.legend))</span>" }.joined() + "</p>"
    }

    /// Node ids by column, each column ordered to reduce crossings.
    private func columns() -> [[String]] {
        var predecessors: [String: [String]] = [:]
        for (from, to) in edges { predecessors[to, default: []].append(from) }
        var column: [String: Int] = [:]
        func place(_ id: String, _ visiting: Set<String>) -> Int {
            if let known = column[id] { return known }
            let before = (predecessors[id] ?? []).filter { !visiting.contains($0) }
            let value = before.isEmpty ? 0 : before.map { place($0, visiting.union([id])) + 1 }.max()!
            column[id] = value
            return value
        }
        for node in nodes { _ = place(node.id, []) }
        let count = (column.values.max() ?? -1) + 1
        var columns: [[String]] = Array(repeating: [], count: count)
        for node in nodes { columns[column[node.id]!].append(node.id) }
        // Two sweeps: each node at the mean row of what it reads (nodes reading nothing keep their place).
        for _ in 0..<2 {
            var row: [String: Double] = [:]
            for ids in columns { for (index, id) in ids.enumerated() { row[id] = Double(index) } }
            for index in columns.indices.dropFirst() {
                let current = columns[index]
                columns[index] = current.enumerated().sorted { a, b in
                    let ka = Self.mean((predecessors[a.element] ?? []).compactMap { row[$0] }) ?? Double(a.offset)
                    let kb = Self.mean((predecessors[b.element] ?? []).compactMap { row[$0] }) ?? Double(b.offset)
                    return ka == kb ? a.offset < b.offset : ka < kb
                }.map(\.element)
                for (position, id) in columns[index].enumerated() { row[id] = Double(position) }
            }
        }
        return columns
    }

    private static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
}
