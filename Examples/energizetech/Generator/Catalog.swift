/// The fixed reference data the synthetic EnergizeTech business is built from.
enum Catalog {
    struct Place { let city: String; let state: String; let region: String }

    static let places: [Place] = [
        Place(city: "São Paulo", state: "SP", region: "Sudeste"), Place(city: "Campinas", state: "SP", region: "Sudeste"),
        Place(city: "Rio de Janeiro", state: "RJ", region: "Sudeste"), Place(city: "Belo Horizonte", state: "MG", region: "Sudeste"),
        Place(city: "Vitória", state: "ES", region: "Sudeste"), Place(city: "Curitiba", state: "PR", region: "Sul"),
        Place(city: "Porto Alegre", state: "RS", region: "Sul"), Place(city: "Florianópolis", state: "SC", region: "Sul"),
        Place(city: "Salvador", state: "BA", region: "Nordeste"), Place(city: "Recife", state: "PE", region: "Nordeste"),
        Place(city: "Fortaleza", state: "CE", region: "Nordeste"), Place(city: "São Luís", state: "MA", region: "Nordeste"),
        Place(city: "Manaus", state: "AM", region: "Norte"), Place(city: "Belém", state: "PA", region: "Norte"),
        Place(city: "Brasília", state: "DF", region: "Centro-Oeste"), Place(city: "Goiânia", state: "GO", region: "Centro-Oeste"),
        Place(city: "Campo Grande", state: "MS", region: "Centro-Oeste"),
    ]

    static let firstNames = ["Ana", "João", "Maria", "José", "Luíza", "Pedro", "Conceição", "Antônio", "Fátima", "Thiago",
                             "Beatriz", "Lucas", "Gabriela", "Rafael", "Letícia", "Mateus", "Júlia", "André", "Camila", "Vinícius"]
    static let lastNames = ["Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima",
                            "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Araújo", "Melo", "Barbosa", "D'Ávila"]
    static let manufacturers = ["Veloz Motores", "EletroMóvel S.A.", "Moto Verde Ltda.", "Ônibus Elétricos do Brasil",
                                "Tuk-Tuk \"Urbano\"", "Carga Leve EV", "Frota Limpa", "Ágil Veículos"]
    /// Names that carry what real data carries: emoji, quotes, backslashes, tabs, newlines.
    static let awkwardNames = ["Zé 🚗⚡ Elétrico", "Ana \"Bateria\" Souza", "C:\\Frota\\Norte", "Tab\tSeparated Ltda.",
                               "Linha1\nLinha2", "\\. Ponto", "Ñandú 电池 Ltda."]

    struct Chemistry { let name: String; let pricePerKWh: Int; let voltages: [Int32] }
    static let chemistries = [Chemistry(name: "LFP", pricePerKWh: 1_150, voltages: [48, 400]),
                              Chemistry(name: "NMC", pricePerKWh: 1_480, voltages: [400, 800]),
                              Chemistry(name: "NCA", pricePerKWh: 1_620, voltages: [400, 800]),
                              Chemistry(name: "LTO", pricePerKWh: 2_300, voltages: [48, 72])]
    static let capacities: [Double] = [5, 15, 40, 60, 75, 100]

    /// List price in cents: whole reais for 40 and 100 kWh packs, `…9.90` for the others.
    static func listPriceCents(_ chemistry: Chemistry, _ capacity: Double) -> Int {
        Int(capacity) * chemistry.pricePerKWh * 100 + (capacity == 40 || capacity == 100 ? 0 : 990)
    }

    static let methods = ["pix", "credit_card", "debit_card", "boleto"]
}
