//go:build !lambda

package main

import (
	_ "embed"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/multisaude/multisaude/ports"
)

// The national-size fixture's cast: real Brazilian cities, names, professions
// and what companies sell. Everything is drawn from seeded generators, so two
// runs at the same scale on the same day write the same rows.

//go:embed demo_scale_cities.txt
var scaleCitiesText string

// scaleCity is a real municipality and its approximate centre.
type scaleCity struct {
	Name, UF string
	Point    ports.Point
}

func scaleCities() ([]scaleCity, error) {
	var out []scaleCity
	for n, line := range strings.Split(strings.TrimSpace(scaleCitiesText), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 4 {
			return nil, fmt.Errorf("demo_scale_cities.txt:%d: esperava nome|UF|lat|lng", n+1)
		}
		lat, err1 := strconv.ParseFloat(f[2], 64)
		lng, err2 := strconv.ParseFloat(f[3], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("demo_scale_cities.txt:%d: coordenadas inválidas", n+1)
		}
		out = append(out, scaleCity{Name: f[0], UF: f[1], Point: ports.Point{Lat: lat, Lng: lng}})
	}
	return out, nil
}

var (
	scaleFirstNames = []string{"Ana", "Maria", "João", "José", "Pedro", "Lucas", "Gabriel", "Rafael", "Juliana", "Fernanda",
		"Camila", "Beatriz", "Larissa", "Mariana", "Bruno", "Felipe", "Gustavo", "Matheus", "Letícia", "Amanda",
		"Carlos", "Paulo", "Rodrigo", "Marcelo", "Patrícia", "Aline", "Vanessa", "Luana", "Thiago", "Diego",
		"Eduardo", "Ricardo", "Renata", "Sandra", "Cláudia", "Antônio", "Francisco", "Raimunda", "Sebastião", "Luiz"}
	scaleLastNames = []string{"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes",
		"Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa",
		"Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques", "Machado", "Mendes", "Freitas",
		"Cardoso", "Ramos", "Gonçalves", "Santana", "Teixeira", "Araújo", "Pinto", "Cavalcanti", "Monteiro", "Moura"}
	scaleStreets = []string{"Rua Sete de Setembro", "Avenida Brasil", "Rua XV de Novembro", "Rua Tiradentes", "Avenida Getúlio Vargas",
		"Rua Dom Pedro II", "Rua Rui Barbosa", "Avenida Presidente Vargas", "Rua São José", "Rua Santos Dumont",
		"Avenida Juscelino Kubitschek", "Rua Marechal Deodoro", "Rua Duque de Caxias", "Rua Floriano Peixoto", "Praça da Matriz"}
	scaleDistricts = []string{"Centro", "Jardim América", "Vila Nova", "Boa Vista", "São José", "Santa Cruz", "Bela Vista", "Vila Operária"}
)

// scaleProfession is a profession, its council, specialties and price range (centavos).
type scaleProfession struct {
	Name, Council string
	Specialties   []string
	Weight        int
	PriceMin      int64
}

var scaleProfessions = []scaleProfession{
	{"physician", "CRM", []string{"clinical_medicine", "cardiology", "pediatrics", "dermatology", "gynecology", "orthopedics",
		"psychiatry", "endocrinology", "ophthalmology", "neurology", "family_medicine", "geriatrics"}, 45, 18000},
	{"nutritionist", "CRN", []string{"clinical_nutrition", "sports_nutrition", "pediatric_nutrition"}, 12, 12000},
	{"psychologist", "CRP", []string{"clinical_psychology", "cognitive_behavioral_therapy", "child_psychology"}, 14, 12000},
	{"physiotherapist", "CREFITO", []string{"orthopedic_physiotherapy", "respiratory_physiotherapy", "sports_physiotherapy"}, 10, 10000},
	{"dentist", "CRO", []string{"general_dentistry", "orthodontics", "endodontics"}, 9, 15000},
	{"physical_educator", "CREF", []string{"personal_training", "functional_training"}, 5, 8000},
	{"speech_therapist", "CREFONO", []string{"speech_therapy"}, 3, 10000},
	{"nurse", "COREN", []string{"wound_care", "primary_care_nursing"}, 2, 8000},
}

// scaleCompanyTypes is the share of each company type, out of 100.
var scaleCompanyTypes = []struct {
	Type   string
	Weight int
	Label  string
}{{"pharmacy", 35, "Farmácia"}, {"market", 20, "Mercado"}, {"gym", 20, "Academia"}, {"sports_store", 10, "Esportes"}, {"hospital", 15, "Hospital"}}

// scaleItem is one product a company type sells.
type scaleItem struct {
	Name, Kind, Tag string
	Price           int64
	Prescription    bool
}

var scaleCatalogue = map[string][]scaleItem{
	"pharmacy": {{"Dipirona 500 mg, 10 comprimidos", "medication", "analgesico", 890, false}, {"Paracetamol 750 mg, 20 comprimidos", "medication", "analgesico", 1290, false},
		{"Losartana 50 mg, 30 comprimidos", "medication", "hipertensao", 1990, true}, {"Metformina 850 mg, 30 comprimidos", "medication", "diabetes", 1490, true},
		{"Protetor solar FPS 50", "product", "pele", 5990, false}, {"Termômetro digital", "equipment", "cuidado", 2990, false},
		{"Vitamina D 2000 UI", "product", "suplemento", 3990, false}, {"Soro fisiológico 500 ml", "product", "cuidado", 790, false}},
	"market": {{"Aveia em flocos 500 g", "food", "integral", 990, false}, {"Arroz integral 1 kg", "food", "integral", 890, false},
		{"Castanha-do-pará 200 g", "food", "oleaginosas", 2490, false}, {"Iogurte natural 170 g", "food", "laticinios", 390, false},
		{"Azeite extravirgem 500 ml", "food", "oleos", 3990, false}, {"Feijão carioca 1 kg", "food", "graos", 790, false}},
	"gym": {{"Plano mensal", "gym_plan", "mensal", 9990, false}, {"Plano trimestral", "gym_plan", "trimestral", 26990, false},
		{"Plano anual", "gym_plan", "anual", 89990, false}, {"Avaliação física", "service", "avaliacao", 8000, false}},
	"sports_store": {{"Tênis de corrida", "equipment", "corrida", 39990, false}, {"Halteres 5 kg (par)", "equipment", "musculacao", 15990, false},
		{"Tapete de ioga", "equipment", "ioga", 8990, false}, {"Garrafa térmica 1 l", "product", "hidratacao", 6990, false},
		{"Faixa elástica", "equipment", "funcional", 3990, false}},
	"hospital": {{"Hemograma completo", "exam", "sangue", 3500, false}, {"Eletrocardiograma", "exam", "cardiologia", 8000, false},
		{"Raio X de tórax", "exam", "imagem", 12000, false}, {"Ultrassonografia abdominal", "exam", "imagem", 22000, false}},
}

var scaleReasons = []string{"Consulta de rotina", "Retorno", "Dor lombar", "Check-up anual", "Acompanhamento de hipertensão",
	"Dor de cabeça frequente", "Avaliação de exames", "Acompanhamento de diabetes", "Ansiedade", "Reeducação alimentar"}
var scaleICD10 = []string{"I10", "E11", "M54.5", "J06.9", "F41.1", "R51", "Z00.0", "E66.9", "K21.9", "N39.0"}

// cpfFrom makes a CPF with valid check digits from a nine-digit base.
func cpfFrom(base int) string {
	d := []byte(fmt.Sprintf("%09d", base%1_000_000_000))
	for _, n := range []int{9, 10} {
		sum := 0
		for i := 0; i < n; i++ {
			sum += int(d[i]-'0') * (n + 1 - i)
		}
		r := sum * 10 % 11
		if r == 10 {
			r = 0
		}
		d = append(d, byte('0'+r))
	}
	return string(d)
}

// cnpjFrom makes a numeric CNPJ with valid check digits (branch 0001).
func cnpjFrom(base int) string {
	d := []byte(fmt.Sprintf("%08d0001", base%100_000_000))
	for _, weights := range [][]int{{5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}, {6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}} {
		sum := 0
		for i, w := range weights {
			sum += int(d[i]-'0') * w
		}
		r := sum % 11
		if r < 2 {
			r = 0
		} else {
			r = 11 - r
		}
		d = append(d, byte('0'+r))
	}
	return string(d)
}

// scaleID is a UUIDv7 for the fixture: t's milliseconds, then the entity tag
// and its ordinal, so IDs are unique, deterministic and ordered by time like
// the app's own.
func scaleID(t time.Time, tag byte, n uint64) string {
	ms := uint64(t.UnixMilli())
	var b [16]byte
	for i := 0; i < 6; i++ {
		b[i] = byte(ms >> (40 - 8*i))
	}
	b[6] = 0x70 | tag&0x0f
	b[7] = byte(n >> 48)
	b[8] = 0x80 | byte(n>>40)&0x3f
	for i := 9; i < 16; i++ {
		b[i] = byte(n >> (8 * (15 - i)))
	}
	const hexd = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexd[c>>4], hexd[c&0x0f])
	}
	return string(out)
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func scaleName(r *rand.Rand) string {
	return pick(r, scaleFirstNames) + " " + pick(r, scaleLastNames) + " " + pick(r, scaleLastNames)
}

// jitter moves p by up to about km kilometres.
func jitter(r *rand.Rand, p ports.Point, km float64) ports.Point {
	d := km / 111.0
	return ports.Point{Lat: p.Lat + (r.Float64()*2-1)*d, Lng: p.Lng + (r.Float64()*2-1)*d}
}
