// Package schedulingdir implements scheduling.Directory over the identity
// context (*identity.Service's lookups), with a short-lived cache: search reads
// the list of verified professionals once per TTL instead of once per request,
// and booking reads each professional at most once per TTL. A professional whose
// verification is revoked stops being bookable within the TTL (default 10 s).
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
	ListVerifiedProfessionals(ctx context.Context, q identity.ProfessionalQuery) ([]identity.Professional, error)
}

var _ Identity = (*identity.Service)(nil)

// Directory implements scheduling.Directory.
type Directory struct {
	id    Identity
	clock kernel.Clock
	TTL   time.Duration

	mu       sync.Mutex
	all      []scheduling.Professional
	allAt    time.Time
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
// the same rules as identity (exact, case-insensitive; empty fields match all).
func (d *Directory) VerifiedProfessionals(ctx context.Context, q scheduling.ProfessionalQuery) ([]scheduling.Professional, error) {
	all, err := d.allVerified(ctx)
	if err != nil {
		return nil, err
	}
	spec := strings.ToLower(strings.TrimSpace(q.Specialty))
	prof, city, uf := strings.TrimSpace(q.Profession), strings.TrimSpace(q.City), strings.ToUpper(strings.TrimSpace(q.UF))
	out := make([]scheduling.Professional, 0, len(all))
	for _, p := range all {
		if (spec == "" || slices.Contains(p.Specialties, spec)) &&
			(prof == "" || p.Profession == prof) &&
			(q.Mode == "" || slices.Contains(p.Modes, q.Mode)) &&
			(city == "" || strings.EqualFold(p.City, city)) &&
			(uf == "" || p.UF == uf) {
			out = append(out, p)
		}
	}
	return out, nil
}

func (d *Directory) allVerified(ctx context.Context) ([]scheduling.Professional, error) {
	for {
		now := d.clock.Now()
		d.mu.Lock()
		if d.all != nil && now.Sub(d.allAt) < d.TTL {
			all := d.all
			d.mu.Unlock()
			return all, nil
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

		list, err := d.id.ListVerifiedProfessionals(ctx, identity.ProfessionalQuery{})
		d.mu.Lock()
		d.inflight = nil
		close(done)
		if err != nil {
			d.mu.Unlock()
			return nil, err
		}
		all := make([]scheduling.Professional, 0, len(list))
		for _, p := range list {
			all = append(all, professionalOf(p))
		}
		d.all, d.allAt = all, now
		d.mu.Unlock()
		return all, nil
	}
}
