package addressapi

import (
	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/ports"
)

// AddressResponse is what a CEP names: the CEP as 01310-100, the state, and
// the city, district and street when the geocoder knows them.
type AddressResponse struct {
	CEP      string  `json:"cep"`
	Street   string  `json:"street,omitempty"`
	District string  `json:"district,omitempty"`
	City     string  `json:"city,omitempty"`
	UF       string  `json:"uf"`
	Lat      float64 `json:"lat"`
	Lng      float64 `json:"lng"`
}

func (AddressResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"cep": {Length: 9, Pattern: `^[0-9]{5}-[0-9]{3}$`}, "uf": {Enum: identity.UFList()},
		"street": {Length: 200}, "district": {Length: 200}, "city": {Length: 200},
		"lat": {Range: &httpapi.Range{Min: -90, Max: 90}}, "lng": {Range: &httpapi.Range{Min: -180, Max: 180}}}
}

func (AddressResponse) Example() any {
	return AddressResponse{CEP: "01310-100", Street: "Avenida Paulista", District: "Bela Vista", City: "São Paulo", UF: "SP",
		Lat: -23.5613, Lng: -46.6565}
}

func addressOf(a ports.Address, p ports.Point) AddressResponse {
	cep := a.CEP
	if len(cep) == 8 {
		cep = cep[:5] + "-" + cep[5:]
	}
	return AddressResponse{CEP: cep, Street: a.Street, District: a.District, City: a.City, UF: a.UF, Lat: p.Lat, Lng: p.Lng}
}
