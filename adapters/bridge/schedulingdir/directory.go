// Package schedulingdir implements scheduling.Directory over the identity
// context (*identity.Service's lookups), with a short-lived cache: search reads
// the list of verified professionals once per TTL instead of once per request,
// and booking reads each professional at most once per TTL. A professional whose
// verification is revoked stops being bookable within the TTL (default 10 s).
//
// The list is kept as a snapshot indexed by specialty and by city, so a search
// looks only at the professionals of its specialty or city (the smaller list)
// instead of all of them (20,000 at national size; see bench_test.go). When the
// TTL has passed, the directory's version (one row the database keeps current)
// is read first: the list is reloaded only when it changed, so an instance at
// rest reads one row per TTL instead of every verified professional.
package schedulingdir

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
)

// Identity is the part of *identity.Service the bridge uses.
type Identity interface {
	LookupPatient(ctx context.Context, id kernel.ID) (identity.Patient, error)
	LookupPatients(ctx context.Context, ids []kernel.ID) (map[kernel.ID]identity.Patient, error)
	LookupProfessional(ctx context.Context, id kernel.ID) (identity.Professional, error)
	LookupCompany(ctx context.Context, id kernel.ID) (identity.Company, error)
	VerifiedDirectory(ctx context.Context) ([]identity.Professional, error)
	DirectoryVersion(ctx context.Context) (int64, error)
}

var _ Identity = (*identity.Service)(nil)

// Directory implements scheduling.Directory.
type Directory struct {
	id    Identity
	clock kernel.Clock
	TTL   time.Duration

	mu       sync.Mutex
	snap     *snapshot
	pros     map[kernel.ID]cached
	inflight chan struct{}
}

type cached struct {
	p  scheduling.Professional
	at time.Time
}

var _ scheduling.Directory = (*Directory)(nil)

// New builds the bridge over the identity service.
func New(svc *identity.Service, clock kernel.Clock) *Directory { return NewWith(svc, clock) }

// NewWith builds the bridge over any Identity (tests).
func NewWith(id Identity, clock kernel.Clock) *Directory {
	if clock == nil {
		clock = kernel.SystemClock{}
	}
	return &Directory{id: id, clock: clock, TTL: 10 * time.Second, pros: map[kernel.ID]cached{}}
}

func professionalOf(p identity.Professional) scheduling.Professional {
	out := scheduling.Professional{ID: p.ID, Verified: p.Verified(), Name: p.Name, Profession: p.Profession,
		Specialties: append([]string{}, p.Specialties...), Price: p.Price, City: p.Address.City, UF: p.Address.UF, Email: p.Email}
	for _, m := range p.Modes {
		out.Modes = append(out.Modes, scheduling.Mode(m))
	}
	if p.Point != nil {
		out.Point = scheduling.Point{Lat: p.Point.Lat, Lng: p.Point.Lng}
	}
	return out
}

func (d *Directory) Professional(ctx context.Context, id kernel.ID) (scheduling.Professional, error) {
	now := d.clock.Now()
	d.mu.Lock()
	c, ok := d.pros[id]
	d.mu.Unlock()
	if ok && now.Sub(c.at) < d.TTL {
		return c.p, nil
	}
	p, err := d.id.LookupProfessional(ctx, id)
	if err != nil {
		return scheduling.Professional{}, err
	}
	out := professionalOf(p)
	d.mu.Lock()
	if len(d.pros) > 50000 {
		d.pros = map[kernel.ID]cached{}
	}
	// The key outlives the call: own its bytes, whatever buffer the caller's ID came from.
	d.pros[strings.Clone(id)] = cached{out, now}
	d.mu.Unlock()
	return out, nil
}

func (d *Directory) Company(ctx context.Context, id kernel.ID) (scheduling.Company, error) {
	c, err := d.id.LookupCompany(ctx, id)
	if err != nil {
		return scheduling.Company{}, err
	}
	out := scheduling.Company{ID: c.ID, Verified: c.Verified(), Name: c.TradeName, Type: c.Type, City: c.Address.City, UF: c.Address.UF}
	if out.Name == "" {
		out.Name = c.LegalName
	}
	if c.Point != nil {
		out.Point = scheduling.Point{Lat: c.Point.Lat, Lng: c.Point.Lng}
	}
	return out, nil
}

func (d *Directory) Patient(ctx context.Context, id kernel.ID) (scheduling.Patient, error) {
	p, err := d.id.LookupPatient(ctx, id)
	if err != nil {
		return scheduling.Patient{}, err
	}
	return scheduling.Patient{ID: p.ID, Name: p.DisplayName(), Email: p.Email}, nil
}

func (d *Directory) Patients(ctx context.Context, ids []kernel.ID) (map[kernel.ID]scheduling.Patient, error) {
	ps, err := d.id.LookupPatients(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[kernel.ID]scheduling.Patient, len(ps))
	for id, p := range ps {
		out[id] = scheduling.Patient{ID: p.ID, Name: p.DisplayName(), Email: p.Email}
	}
	return out, nil
}

// VerifiedProfessionals filters the cached list of every verified professional with
// the same rules as identity (exact, case-insensitive; empty fields match all), in
// identity's order (name, then ID). A query with no field returns the cached list
// itself: read it, do not modify it.
func (d *Directory) VerifiedProfessionals(ctx context.Context, q scheduling.ProfessionalQuery) ([]scheduling.Professional, error) {
	s, err := d.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	return s.filter(q), nil
}

// snapshot is every verified professional at one time, with two indexes; never
// modified once built, so readers share it without a lock.
type snapshot struct {
	at      time.Time
	version int64 // the directory's version read before the list
	all     []scheduling.Professional
	bySpec  map[string][]int32 // specialty -> positions in all, ascending
	byCity  map[string][]int32 // cityKey(city) -> positions in all, ascending
}

// cityKey folds a city's case so that names strings.EqualFold calls equal share a key
// (the filter still compares with EqualFold).
func cityKey(city string) string { return strings.ToLower(strings.ToUpper(city)) }

func newSnapshot(list []identity.Professional, at time.Time) *snapshot {
	s := &snapshot{at: at, all: make([]scheduling.Professional, len(list)),
		bySpec: map[string][]int32{}, byCity: map[string][]int32{}}
	for i, p := range list {
		s.all[i] = professionalOf(p)
		for _, sp := range p.Specialties {
			s.bySpec[sp] = append(s.bySpec[sp], int32(i))
		}
		k := cityKey(p.Address.City)
		s.byCity[k] = append(s.byCity[k], int32(i))
	}
	return s
}

func (s *snapshot) filter(q scheduling.ProfessionalQuery) []scheduling.Professional {
	spec := strings.ToLower(strings.TrimSpace(q.Specialty))
	prof, city, uf := strings.TrimSpace(q.Profession), strings.TrimSpace(q.City), strings.ToUpper(strings.TrimSpace(q.UF))
	if spec == "" && prof == "" && q.Mode == "" && city == "" && uf == "" {
		return s.all[:len(s.all):len(s.all)]
	}
	match := func(p *scheduling.Professional) bool {
		return (spec == "" || slices.Contains(p.Specialties, spec)) &&
			(prof == "" || p.Profession == prof) &&
			(q.Mode == "" || slices.Contains(p.Modes, q.Mode)) &&
			(city == "" || strings.EqualFold(p.City, city)) &&
			(uf == "" || p.UF == uf)
	}
	var idx []int32
	indexed := false
	if spec != "" {
		idx, indexed = s.bySpec[spec], true
	}
	if city != "" {
		if c := s.byCity[cityKey(city)]; !indexed || len(c) < len(idx) {
			idx, indexed = c, true
		}
	}
	out := []scheduling.Professional{}
	if !indexed {
		for i := range s.all {
			if match(&s.all[i]) {
				out = append(out, s.all[i])
			}
		}
		return out
	}
	for _, i := range idx {
		if match(&s.all[i]) {
			out = append(out, s.all[i])
		}
	}
	return out
}

func (d *Directory) snapshot(ctx context.Context) (*snapshot, error) {
	for {
		now := d.clock.Now()
		d.mu.Lock()
		old := d.snap
		if old != nil && now.Sub(old.at) < d.TTL {
			d.mu.Unlock()
			return old, nil
		}
		if wait := d.inflight; wait != nil { // one reload at a time
			d.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, kernel.Unavailable(ctx.Err(), "request cancelled")
			}
		}
		done := make(chan struct{})
		d.inflight = done
		d.mu.Unlock()

		s, err := d.reload(ctx, old, now)
		d.mu.Lock()
		d.inflight = nil
		close(done)
		if err != nil {
			d.mu.Unlock()
			return nil, err
		}
		d.snap = s
		d.mu.Unlock()
		return s, nil
	}
}

// reload reads the version, then the list only when the version moved since old
// was read. Reading the version first makes a change that commits in between
// cost one more reload, never a missed one.
func (d *Directory) reload(ctx context.Context, old *snapshot, now time.Time) (*snapshot, error) {
	v, err := d.id.DirectoryVersion(ctx)
	if err != nil {
		return nil, err
	}
	if old != nil && old.version == v {
		s := *old // same list and indexes, shared: a snapshot is never modified
		s.at = now
		return &s, nil
	}
	list, err := d.id.VerifiedDirectory(ctx)
	if err != nil {
		return nil, err
	}
	s := newSnapshot(list, now)
	s.version = v
	return s, nil
}
