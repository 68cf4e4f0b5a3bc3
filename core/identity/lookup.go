package identity

import (
	"context"
	"slices"
	"strings"

	"github.com/multisaude/multisaude/core/kernel"
)

// LookupPatient returns a patient for other contexts' adapters (no principal:
// the caller has already decided the lookup is allowed). KindNotFound when absent.
func (s *Service) LookupPatient(ctx context.Context, id kernel.ID) (Patient, error) {
	if !kernel.ValidID(id) {
		return Patient{}, kernel.NotFound("paciente não encontrado")
	}
	return s.store.Patient(ctx, id)
}

// MaxLookupPatients caps one LookupPatients call.
const MaxLookupPatients = 500

// LookupPatients returns the patients of ids that exist, by ID (no principal,
// as LookupPatient); invalid IDs are absent from the answer. At most
// MaxLookupPatients IDs: more is the caller's bug (kernel.Internal).
func (s *Service) LookupPatients(ctx context.Context, ids []kernel.ID) (map[kernel.ID]Patient, error) {
	if len(ids) > MaxLookupPatients {
		return nil, kernel.Internal(nil, "LookupPatients: %d IDs, at most %d", len(ids), MaxLookupPatients)
	}
	valid := make([]kernel.ID, 0, len(ids))
	for _, id := range ids {
		if kernel.ValidID(id) {
			valid = append(valid, id)
		}
	}
	out := make(map[kernel.ID]Patient, len(valid))
	if len(valid) == 0 {
		return out, nil
	}
	ps, err := s.store.Patients(ctx, valid)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		out[p.ID] = p
	}
	return out, nil
}

// LookupProfessional returns a professional, whatever the status (check
// Verified). KindNotFound when absent.
func (s *Service) LookupProfessional(ctx context.Context, id kernel.ID) (Professional, error) {
	if !kernel.ValidID(id) {
		return Professional{}, kernel.NotFound("profissional não encontrado")
	}
	return s.store.Professional(ctx, id)
}

// LookupCompany returns a company, whatever the status. KindNotFound when absent.
func (s *Service) LookupCompany(ctx context.Context, id kernel.ID) (Company, error) {
	if !kernel.ValidID(id) {
		return Company{}, kernel.NotFound("empresa não encontrada")
	}
	return s.store.Company(ctx, id)
}

// ListVerifiedProfessionals returns every verified professional matching q
// (exact, case-insensitive matches; empty fields match all), by name then ID,
// with the fields Store.DirectoryProfessionals names. The result and the
// professionals in it are shared between callers (no filter: the cached list
// itself; a filter: a new slice whose Specialties and Modes are shared):
// read-only.
func (s *Service) ListVerifiedProfessionals(ctx context.Context, q ProfessionalQuery) ([]Professional, error) {
	q.Specialty = strings.ToLower(strings.TrimSpace(q.Specialty))
	q.Profession = strings.TrimSpace(q.Profession)
	q.Mode = strings.TrimSpace(q.Mode)
	q.City = strings.TrimSpace(q.City)
	q.UF = strings.ToUpper(strings.TrimSpace(q.UF))
	list, err := s.verified(ctx)
	if err != nil {
		return nil, err
	}
	if q == (ProfessionalQuery{}) {
		return list, nil
	}
	out := []Professional{}
	for _, pr := range list {
		if matchProfessional(pr, q) {
			out = append(out, pr)
		}
	}
	return out, nil
}

// VerifiedDirectory returns every verified professional, uncapped, by name then
// ID, with the fields a directory shows (Store.DirectoryProfessionals says
// which): for other contexts' caches of the directory. It is the service's own
// copy (one reload per change, shared with ListVerifiedProfessionals): read-only.
func (s *Service) VerifiedDirectory(ctx context.Context) ([]Professional, error) {
	return s.verified(ctx)
}

// DirectoryVersion changes whenever what VerifiedDirectory returns may have
// changed: a cache compares it (cheap) before reloading the directory (not).
func (s *Service) DirectoryVersion(ctx context.Context) (int64, error) {
	return s.store.DirectoryVersion(ctx)
}

// matchProfessional applies q in memory; stores may pre-filter with it but need not.
func matchProfessional(pr Professional, q ProfessionalQuery) bool {
	return (q.Specialty == "" || slices.Contains(pr.Specialties, q.Specialty)) &&
		(q.Profession == "" || pr.Profession == q.Profession) &&
		(q.Mode == "" || pr.Offers(q.Mode)) &&
		(q.City == "" || strings.EqualFold(pr.Address.City, q.City)) &&
		(q.UF == "" || pr.Address.UF == q.UF)
}

// GetProfessional returns a professional's public profile: verified ones to
// anyone, others only to themselves and admins (not found for everyone else).
func (s *Service) GetProfessional(ctx context.Context, p kernel.Principal, id kernel.ID) (Professional, error) {
	pr, err := s.LookupProfessional(ctx, id)
	if err != nil {
		return Professional{}, err
	}
	if !canSeeProfessional(p, pr) {
		return Professional{}, kernel.NotFound("profissional não encontrado")
	}
	return pr, nil
}

// GetCompany returns a company: verified ones to anyone, others only to their
// members and admins.
func (s *Service) GetCompany(ctx context.Context, p kernel.Principal, id kernel.ID) (Company, error) {
	c, err := s.LookupCompany(ctx, id)
	if err != nil {
		return Company{}, err
	}
	if !canSeeCompany(p, c) {
		return Company{}, kernel.NotFound("empresa não encontrada")
	}
	return c, nil
}

// ListCompanies returns verified companies, optionally of one type.
func (s *Service) ListCompanies(ctx context.Context, _ kernel.Principal, typ string) ([]Company, error) {
	if typ != "" && !companyTypes[typ] {
		return nil, kernel.Invalid("type", "deve ser um de: %s", strings.Join(CompanyTypes(), ", "))
	}
	list, err := s.store.ListCompanies(ctx, StatusVerified)
	if err != nil {
		return nil, err
	}
	out := make([]Company, 0, len(list))
	for _, c := range list {
		if typ == "" || c.Type == typ {
			out = append(out, c)
		}
	}
	return out, nil
}
