package offlinegeo

import "github.com/multisaude/multisaude/ports"

// capital is a state's capital city and where it lies.
type capital struct {
	City  string
	Point ports.Point
}

// capitals holds the 27 capitals by UF.
var capitals = map[string]capital{
	"AC": {"Rio Branco", ports.Point{Lat: -9.9747, Lng: -67.8100}},
	"AL": {"Maceió", ports.Point{Lat: -9.6658, Lng: -35.7353}},
	"AP": {"Macapá", ports.Point{Lat: 0.0349, Lng: -51.0694}},
	"AM": {"Manaus", ports.Point{Lat: -3.1190, Lng: -60.0217}},
	"BA": {"Salvador", ports.Point{Lat: -12.9714, Lng: -38.5014}},
	"CE": {"Fortaleza", ports.Point{Lat: -3.7319, Lng: -38.5267}},
	"DF": {"Brasília", ports.Point{Lat: -15.7939, Lng: -47.8828}},
	"ES": {"Vitória", ports.Point{Lat: -20.3155, Lng: -40.3128}},
	"GO": {"Goiânia", ports.Point{Lat: -16.6869, Lng: -49.2648}},
	"MA": {"São Luís", ports.Point{Lat: -2.5307, Lng: -44.3068}},
	"MT": {"Cuiabá", ports.Point{Lat: -15.6014, Lng: -56.0979}},
	"MS": {"Campo Grande", ports.Point{Lat: -20.4697, Lng: -54.6201}},
	"MG": {"Belo Horizonte", ports.Point{Lat: -19.9167, Lng: -43.9345}},
	"PA": {"Belém", ports.Point{Lat: -1.4558, Lng: -48.4902}},
	"PB": {"João Pessoa", ports.Point{Lat: -7.1195, Lng: -34.8450}},
	"PR": {"Curitiba", ports.Point{Lat: -25.4284, Lng: -49.2733}},
	"PE": {"Recife", ports.Point{Lat: -8.0476, Lng: -34.8770}},
	"PI": {"Teresina", ports.Point{Lat: -5.0920, Lng: -42.8038}},
	"RJ": {"Rio de Janeiro", ports.Point{Lat: -22.9068, Lng: -43.1729}},
	"RN": {"Natal", ports.Point{Lat: -5.7945, Lng: -35.2110}},
	"RS": {"Porto Alegre", ports.Point{Lat: -30.0346, Lng: -51.2177}},
	"RO": {"Porto Velho", ports.Point{Lat: -8.7612, Lng: -63.9004}},
	"RR": {"Boa Vista", ports.Point{Lat: 2.8235, Lng: -60.6758}},
	"SC": {"Florianópolis", ports.Point{Lat: -27.5954, Lng: -48.5480}},
	"SP": {"São Paulo", ports.Point{Lat: -23.5505, Lng: -46.6333}},
	"SE": {"Aracaju", ports.Point{Lat: -10.9472, Lng: -37.0731}},
	"TO": {"Palmas", ports.Point{Lat: -10.2491, Lng: -48.3243}},
}

// cepRange is a range of CEPs, as their first five digits, inclusive.
type cepRange struct {
	From, To int
	UF       string
}

// cepRanges are the Correios ranges of CEP by state (first five digits).
var cepRanges = []cepRange{
	{1000, 19999, "SP"},
	{20000, 28999, "RJ"},
	{29000, 29999, "ES"},
	{30000, 39999, "MG"},
	{40000, 48999, "BA"},
	{49000, 49999, "SE"},
	{50000, 56999, "PE"},
	{57000, 57999, "AL"},
	{58000, 58999, "PB"},
	{59000, 59999, "RN"},
	{60000, 63999, "CE"},
	{64000, 64999, "PI"},
	{65000, 65999, "MA"},
	{66000, 68899, "PA"},
	{68900, 68999, "AP"},
	{69000, 69299, "AM"},
	{69300, 69399, "RR"},
	{69400, 69899, "AM"},
	{69900, 69999, "AC"},
	{70000, 72799, "DF"},
	{72800, 72999, "GO"},
	{73000, 73699, "DF"},
	{73700, 76799, "GO"},
	{76800, 76999, "RO"},
	{77000, 77999, "TO"},
	{78000, 78899, "MT"},
	{79000, 79999, "MS"},
	{80000, 87999, "PR"},
	{88000, 89999, "SC"},
	{90000, 99999, "RS"},
}

// capitalCEPs are the CEP ranges of the capital cities themselves, where
// a point at the capital is close to the truth rather than an approximation.
var capitalCEPs = []cepRange{
	{1000, 5999, "SP"}, {8000, 8499, "SP"},
	{20000, 23799, "RJ"},
	{30000, 31999, "MG"},
	{40000, 42599, "BA"},
	{50000, 52999, "PE"},
	{60000, 61599, "CE"},
	{70000, 72799, "DF"}, {73000, 73699, "DF"},
	{80000, 82999, "PR"},
	{90000, 91999, "RS"},
}
