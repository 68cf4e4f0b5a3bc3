// Package nominatim is a ports.Geocoder over an OpenStreetMap Nominatim server
// (a hospital's own, or a public one within its usage policy): a structured
// /search restricted to Brazil, at most one request per MinInterval (1 s by
// default, as the public policy requires), an identifying User-Agent, and an
// in-memory cache of answers.
package nominatim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/multisaude/multisaude/adapters/geo/offlinegeo"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Config configures the client.
type Config struct {
	URL             string        // MULTISAUDE_NOMINATIM_URL, e.g. https://nominatim.openstreetmap.org
	UserAgent       string        // MULTISAUDE_NOMINATIM_USER_AGENT; default "multisaude/1.0 (+https://github.com/multisaude/multisaude)"
	Email           string        // MULTISAUDE_NOMINATIM_EMAIL: contact sent with requests (optional)
	MinInterval     time.Duration // MULTISAUDE_NOMINATIM_MIN_INTERVAL; default 1s between requests
	Timeout         time.Duration // default 10s per request
	FallbackOffline bool          // MULTISAUDE_NOMINATIM_FALLBACK_OFFLINE: place what Nominatim cannot with the offline table
	CacheSize       int           // answers kept in memory; default 10000
	HTTPClient      *http.Client
}

// Geocoder implements ports.Geocoder with Nominatim.
type Geocoder struct {
	cfg     Config
	base    *url.URL
	limiter *rate.Limiter

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	p     ports.Point
	a     ports.Address // with addressdetails=1
	found bool
}

var (
	_ ports.Geocoder  = (*Geocoder)(nil)
	_ ports.CEPLookup = (*Geocoder)(nil)
)

// New checks the configuration.
func New(cfg Config) (*Geocoder, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("nominatim: MULTISAUDE_NOMINATIM_URL %q is not an http(s) URL", cfg.URL)
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "multisaude/1.0 (+https://github.com/multisaude/multisaude)"
	}
	if cfg.MinInterval <= 0 {
		cfg.MinInterval = time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = 10000
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: cfg.Timeout}
	}
	return &Geocoder{cfg: cfg, base: u, limiter: rate.NewLimiter(rate.Every(cfg.MinInterval), 1), cache: map[string]cached{}}, nil
}

type result struct {
	Lat     string  `json:"lat"`
	Lon     string  `json:"lon"`
	Address details `json:"address"`
}

// details is the address of a place (addressdetails=1); a city may come as
// city, town, village or municipality, a district as suburb or neighbourhood.
type details struct {
	Road          string `json:"road"`
	Suburb        string `json:"suburb"`
	Neighbourhood string `json:"neighbourhood"`
	City          string `json:"city"`
	Town          string `json:"town"`
	Village       string `json:"village"`
	Municipality  string `json:"municipality"`
	ISO           string `json:"ISO3166-2-lvl4"` // "BR-SP"
	Postcode      string `json:"postcode"`
}

func (d details) address() ports.Address {
	first := func(ss ...string) string {
		for _, s := range ss {
			if s = strings.TrimSpace(s); s != "" {
				return s
			}
		}
		return ""
	}
	return ports.Address{Street: first(d.Road), District: first(d.Suburb, d.Neighbourhood),
		City: first(d.City, d.Town, d.Village, d.Municipality), UF: strings.TrimPrefix(strings.ToUpper(d.ISO), "BR-")}
}

// LookupCEP searches the CEP alone, with the place's address details. The
// state comes from the CEP's range when Nominatim does not give it; a CEP
// Nominatim does not know is looked up offline when FallbackOffline is set.
func (g *Geocoder) LookupCEP(ctx context.Context, cep string) (ports.Address, ports.Point, error) {
	n, err := offlinegeo.NormalizeCEP(cep)
	if err != nil {
		return ports.Address{}, ports.Point{}, err
	}
	c, err := g.search(ctx, url.Values{"postalcode": {n[:5] + "-" + n[5:]}, "addressdetails": {"1"}})
	if err != nil {
		return ports.Address{}, ports.Point{}, err
	}
	if !c.found {
		if g.cfg.FallbackOffline {
			return offlinegeo.LookupCEP(n)
		}
		return ports.Address{}, ports.Point{}, kernel.NotFound("CEP não encontrado")
	}
	a := c.a
	a.CEP = n
	if uf, ok := offlinegeo.StateOfCEP(n); ok && (a.UF == "" || len(a.UF) != 2) {
		a.UF = uf
	}
	if a.UF == "" {
		return ports.Address{}, ports.Point{}, kernel.NotFound("CEP não encontrado")
	}
	return a, c.p, nil
}

// Geocode places the address: first by street, city, state and CEP, then by
// the CEP alone.
func (g *Geocoder) Geocode(ctx context.Context, a ports.Address) (ports.Point, error) {
	cep := ""
	if strings.TrimSpace(a.CEP) != "" {
		var err error
		if cep, err = offlinegeo.NormalizeCEP(a.CEP); err != nil {
			return ports.Point{}, err
		}
		cep = cep[:5] + "-" + cep[5:]
	}
	uf := strings.ToUpper(strings.TrimSpace(a.UF))
	street := strings.TrimSpace(strings.TrimSpace(a.Number) + " " + strings.TrimSpace(a.Street))
	var queries []url.Values
	if street != "" || a.City != "" {
		q := url.Values{}
		set := func(k, v string) {
			if v = strings.TrimSpace(v); v != "" {
				q.Set(k, v)
			}
		}
		set("street", street)
		set("city", a.City)
		set("state", uf)
		set("postalcode", cep)
		queries = append(queries, q)
	}
	if cep != "" {
		queries = append(queries, url.Values{"postalcode": {cep}})
	}
	if len(queries) == 0 {
		return ports.Point{}, kernel.NotFound("o endereço não tem nada para buscar")
	}
	for _, q := range queries {
		c, err := g.search(ctx, q)
		if err != nil {
			return ports.Point{}, err
		}
		if c.found {
			return c.p, nil
		}
	}
	if g.cfg.FallbackOffline {
		return offlinegeo.Locate(a)
	}
	return ports.Point{}, kernel.NotFound("não foi possível localizar este endereço no mapa")
}

func (g *Geocoder) search(ctx context.Context, q url.Values) (cached, error) {
	q.Set("country", "Brasil")
	q.Set("countrycodes", "br")
	q.Set("format", "jsonv2")
	q.Set("limit", "1")
	if g.cfg.Email != "" {
		q.Set("email", g.cfg.Email)
	}
	key := q.Encode()
	g.mu.Lock()
	c, hit := g.cache[key]
	g.mu.Unlock()
	if hit {
		return c, nil
	}
	if err := g.limiter.Wait(ctx); err != nil {
		return cached{}, kernel.Unavailable(err, "the geocoder is busy")
	}
	u := *g.base
	u.Path = strings.TrimRight(u.Path, "/") + "/search"
	u.RawQuery = key
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return cached{}, kernel.Internal(withoutQuery(err), "building a geocoder request")
	}
	req.Header.Set("User-Agent", g.cfg.UserAgent)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Accept-Language", "pt-BR")
	res, err := g.cfg.HTTPClient.Do(req)
	if err != nil {
		return cached{}, kernel.Unavailable(withoutQuery(err), "the geocoder cannot be reached")
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return cached{}, kernel.Unavailable(fmt.Errorf("nominatim answered %s", res.Status), "the geocoder is unavailable")
	}
	var rs []result
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&rs); err != nil {
		return cached{}, kernel.Unavailable(err, "the geocoder answered something unexpected")
	}
	c = cached{}
	if len(rs) > 0 {
		lat, err1 := strconv.ParseFloat(rs[0].Lat, 64)
		lng, err2 := strconv.ParseFloat(rs[0].Lon, 64)
		if err := errors.Join(err1, err2); err != nil || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
			return cached{}, kernel.Unavailable(err, "the geocoder answered an invalid point")
		}
		c = cached{p: ports.Point{Lat: lat, Lng: lng}, a: rs[0].Address.address(), found: true}
	}
	g.mu.Lock()
	if len(g.cache) >= g.cfg.CacheSize {
		clear(g.cache)
	}
	g.cache[key] = c
	g.mu.Unlock()
	return c, nil
}

// withoutQuery drops the query string from the URL an HTTP error quotes: it
// holds the address searched (a patient's street, number and CEP), and the
// error is logged when the request fails.
func withoutQuery(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil {
		return &url.Error{Op: ue.Op, URL: "(the geocoder's search URL)", Err: ue.Err}
	}
	u.RawQuery, u.Fragment = "", ""
	return &url.Error{Op: ue.Op, URL: u.String() + "?(query withheld)", Err: ue.Err}
}
