// Package awslocation is the AWS ports.Geocoder: an Amazon Location Service
// place index searched with SearchPlaceIndexForText (service/location; the
// newer geoplaces client is not available to this build), restricted to Brazil.
package awslocation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/location"
	"github.com/aws/smithy-go"

	"github.com/multisaude/multisaude/adapters/geo/offlinegeo"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Config configures the geocoder.
type Config struct {
	IndexName       string      // MULTISAUDE_LOCATION_PLACE_INDEX: the place index name
	Region          string      // MULTISAUDE_LOCATION_REGION; default the AWS configuration's region
	Endpoint        string      // MULTISAUDE_LOCATION_ENDPOINT: endpoint override (tests)
	MinRelevance    float64     // MULTISAUDE_LOCATION_MIN_RELEVANCE: answers below are not found; default 0 (any)
	FallbackOffline bool        // MULTISAUDE_LOCATION_FALLBACK_OFFLINE: place what the index cannot with the offline table
	AWS             *aws.Config // default: the SDK's default configuration chain
}

// Geocoder implements ports.Geocoder on Amazon Location.
type Geocoder struct {
	cfg Config
	api *location.Client
}

var (
	_ ports.Geocoder  = (*Geocoder)(nil)
	_ ports.CEPLookup = (*Geocoder)(nil)
)

// New builds the geocoder. It does not call AWS.
func New(ctx context.Context, cfg Config) (*Geocoder, error) {
	if cfg.IndexName == "" {
		return nil, errors.New("awslocation: MULTISAUDE_LOCATION_PLACE_INDEX is required")
	}
	var awsCfg aws.Config
	if cfg.AWS != nil {
		awsCfg = cfg.AWS.Copy()
	} else {
		var err error
		if awsCfg, err = awsconfig.LoadDefaultConfig(ctx); err != nil {
			return nil, fmt.Errorf("awslocation: %w", err)
		}
	}
	if cfg.Region != "" {
		awsCfg.Region = cfg.Region
	}
	api := location.NewFromConfig(awsCfg, func(o *location.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
	})
	return &Geocoder{cfg: cfg, api: api}, nil
}

// Text is the free-text query sent for an address:
// "Avenida Paulista, 1000, Bela Vista, São Paulo - SP, 01310-100, Brasil".
func Text(a ports.Address, cep string) string {
	var parts []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	add(a.Street)
	add(a.Number)
	add(a.District)
	city := strings.TrimSpace(a.City)
	if uf := strings.ToUpper(strings.TrimSpace(a.UF)); uf != "" {
		if city != "" {
			city += " - " + uf
		} else {
			city = uf
		}
	}
	add(city)
	add(cep)
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(append(parts, "Brasil"), ", ")
}

// Geocode places the address with the best answer of the index.
func (g *Geocoder) Geocode(ctx context.Context, a ports.Address) (ports.Point, error) {
	cep := ""
	if strings.TrimSpace(a.CEP) != "" {
		n, err := offlinegeo.NormalizeCEP(a.CEP)
		if err != nil {
			return ports.Point{}, err
		}
		cep = n[:5] + "-" + n[5:]
	}
	text := Text(a, cep)
	if text == "" {
		return ports.Point{}, kernel.NotFound("o endereço não tem nada para buscar")
	}
	out, err := g.api.SearchPlaceIndexForText(ctx, &location.SearchPlaceIndexForTextInput{
		IndexName:       aws.String(g.cfg.IndexName),
		Text:            aws.String(text),
		FilterCountries: []string{"BRA"},
		Language:        aws.String("pt-BR"),
		MaxResults:      aws.Int32(1),
	})
	if err != nil {
		return ports.Point{}, translate(err)
	}
	for _, r := range out.Results {
		if r.Place == nil || r.Place.Geometry == nil || len(r.Place.Geometry.Point) != 2 {
			continue
		}
		if r.Relevance != nil && *r.Relevance < g.cfg.MinRelevance {
			continue
		}
		lng, lat := r.Place.Geometry.Point[0], r.Place.Geometry.Point[1] // Amazon Location points are [longitude, latitude]
		if lat < -90 || lat > 90 || lng < -180 || lng > 180 {
			continue
		}
		return ports.Point{Lat: lat, Lng: lng}, nil
	}
	if g.cfg.FallbackOffline {
		return offlinegeo.Locate(a)
	}
	return ports.Point{}, kernel.NotFound("não foi possível localizar este endereço no mapa")
}

// LookupCEP searches the index for the postal code ("01310-100, Brasil") and
// takes the best place whose postal code (when the index gives one) begins as
// the CEP does. The UF is the index's region when it is a state's two letters,
// else the CEP's range (Correios), which is authoritative.
func (g *Geocoder) LookupCEP(ctx context.Context, cep string) (ports.Address, ports.Point, error) {
	n, err := offlinegeo.NormalizeCEP(cep)
	if err != nil {
		return ports.Address{}, ports.Point{}, err
	}
	uf, ok := offlinegeo.StateOfCEP(n)
	if !ok {
		return ports.Address{}, ports.Point{}, kernel.NotFound("nenhum estado tem este CEP")
	}
	out, err := g.api.SearchPlaceIndexForText(ctx, &location.SearchPlaceIndexForTextInput{
		IndexName:       aws.String(g.cfg.IndexName),
		Text:            aws.String(n[:5] + "-" + n[5:] + ", Brasil"),
		FilterCountries: []string{"BRA"},
		Language:        aws.String("pt-BR"),
		MaxResults:      aws.Int32(3),
	})
	if err != nil {
		return ports.Address{}, ports.Point{}, translate(err)
	}
	for _, r := range out.Results {
		pl := r.Place
		if pl == nil || pl.Geometry == nil || len(pl.Geometry.Point) != 2 {
			continue
		}
		if r.Relevance != nil && *r.Relevance < g.cfg.MinRelevance {
			continue
		}
		if pc := digits(aws.ToString(pl.PostalCode)); pc != "" && !strings.HasPrefix(n, pc[:min(5, len(pc))]) {
			continue
		}
		lng, lat := pl.Geometry.Point[0], pl.Geometry.Point[1]
		if lat < -90 || lat > 90 || lng < -180 || lng > 180 {
			continue
		}
		a := ports.Address{CEP: n, UF: uf, Street: aws.ToString(pl.Street), District: aws.ToString(pl.Neighborhood),
			City: aws.ToString(pl.Municipality)}
		if a.District == "" {
			a.District = aws.ToString(pl.SubMunicipality)
		}
		if reg := strings.ToUpper(strings.TrimSpace(aws.ToString(pl.Region))); len(reg) == 2 {
			a.UF = reg
		}
		return a, ports.Point{Lat: lat, Lng: lng}, nil
	}
	if g.cfg.FallbackOffline {
		return offlinegeo.LookupCEP(n)
	}
	return ports.Address{}, ports.Point{}, kernel.NotFound("CEP não encontrado")
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// translate maps Amazon Location errors; the SDK already retried throttling.
func translate(err error) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return kernel.Unavailable(err, "the geocoder cannot be reached")
	}
	switch ae.ErrorCode() {
	case "ThrottlingException", "InternalServerException", "ServiceUnavailableException":
		return kernel.Unavailable(err, "the geocoder is unavailable")
	case "ValidationException":
		return kernel.Invalid("address", "cannot be searched")
	default: // ResourceNotFoundException (no such index), AccessDeniedException: configuration
		return kernel.Internal(err, "the geocoder refused the request")
	}
}
