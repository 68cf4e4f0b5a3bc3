package commerce

import (
	"context"
	"math"
	"slices"
	"strings"

	"github.com/multisaude/multisaude/core/kernel"
)

// PurchaseOptions answers an active treatment plan with the offers of verified
// partners near the patient and the two baskets (see MatchOffers and Baskets).
//
// p must be the plan's patient or a professional caring for them: clinical
// decides, through the directory, and its 403/404 are returned as they are. A
// plan that is not active is a conflict. near defaults to the patient's
// registered address, when it could be placed on the map.
//
// Bounds: at most MaxOptionItems plan items, MaxOptionPartners partners
// (nearest first when a point is known, otherwise by ID) and, per plan item,
// catalogue reads for at most MaxOffersPerItem offers, the partners' catalogues
// read nearest first in groups of MaxOffersPerItem partners.
//
// LGPD: the answer goes to the patient or their professional only; nothing of
// the plan is sent to a partner here (the catalogue is read with tags and
// company IDs, inside the platform).
func (s *Service) PurchaseOptions(ctx context.Context, p kernel.Principal, planID kernel.ID, near *Point) (PurchaseOptions, error) {
	if near != nil && !ValidPoint(*near) { // NaN is out of range too
		return PurchaseOptions{}, kernel.Invalid("near", "deve ser latitude,longitude, como -23.55,-46.63")
	}
	plan, err := s.Dir.Plan(ctx, p, planID)
	if err != nil {
		return PurchaseOptions{}, err
	}
	if !plan.Active {
		return PurchaseOptions{}, kernel.Conflict("o plano não está ativo")
	}
	items := plan.Items
	if len(items) > MaxOptionItems {
		items = items[:MaxOptionItems]
	}
	if near == nil {
		pt, err := s.Dir.Patient(ctx, plan.PatientID)
		switch {
		case err == nil:
			near = pt.Point
		case kernel.KindOf(err) != kernel.KindNotFound:
			return PurchaseOptions{}, err
		}
	}
	partners, err := s.optionPartners(ctx, items, near)
	if err != nil {
		return PurchaseOptions{}, err
	}
	offers, err := s.optionOffers(ctx, items, partners)
	if err != nil {
		return PurchaseOptions{}, err
	}
	return BuildPurchaseOptions(plan.ID, items, offers, partners, near), nil
}

// optionPartners returns the verified partners of the types the items need,
// at most MaxOptionPartners, nearest first (those without a point last) when
// near is known, by ID otherwise.
func (s *Service) optionPartners(ctx context.Context, items []PlanItem, near *Point) ([]Company, error) {
	var types []string
	for _, it := range items {
		if len(it.Tags) == 0 {
			continue // nothing to match a catalogue against
		}
		types = append(types, it.Suppliers...)
	}
	slices.Sort(types)
	types = slices.Compact(types)
	if len(types) == 0 {
		return nil, nil
	}
	all, err := s.Dir.Partners(ctx, types)
	if err != nil {
		return nil, err
	}
	ps := make([]Company, 0, len(all))
	for _, c := range all {
		if c.Verified && slices.Contains(types, c.Type) {
			ps = append(ps, c)
		}
	}
	dist := func(c Company) float64 {
		if near == nil || c.Point == nil {
			return math.Inf(1)
		}
		return DistanceKM(*near, *c.Point)
	}
	slices.SortFunc(ps, func(a, b Company) int {
		if da, db := dist(a), dist(b); da != db {
			if da < db {
				return -1
			}
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
	if len(ps) > MaxOptionPartners {
		ps = ps[:MaxOptionPartners]
	}
	return ps, nil
}

// optionOffers reads, for each plan item, the catalogue items of the fitting
// partners that carry one of its tags: partners in groups of
// MaxOffersPerItem (nearest first), until MaxOffersPerItem offers of a fitting
// kind are found. An item equal to one already read (same kind, tags and
// suppliers) is not read again.
func (s *Service) optionOffers(ctx context.Context, items []PlanItem, partners []Company) ([]Item, error) {
	var out []Item
	seen := map[string]bool{}
	for _, pi := range items {
		if len(pi.Tags) == 0 {
			continue
		}
		tags, sup := slices.Clone(pi.Tags), slices.Clone(pi.Suppliers)
		slices.Sort(tags)
		slices.Sort(sup)
		tags, sup = slices.Compact(tags), slices.Compact(sup)
		key := pi.Kind + "|" + strings.Join(tags, ",") + "|" + strings.Join(sup, ",")
		if seen[key] {
			continue
		}
		seen[key] = true
		var ids []kernel.ID
		for _, c := range partners {
			if slices.Contains(sup, c.Type) {
				ids = append(ids, c.ID)
			}
		}
		found := 0
		for start := 0; start < len(ids) && found < MaxOffersPerItem; start += MaxOffersPerItem {
			group := ids[start:min(len(ids), start+MaxOffersPerItem)]
			got, err := s.Catalog.Offers(ctx, OfferQuery{CompanyIDs: group, Tags: tags, Limit: MaxOffersPerItem})
			if err != nil {
				return nil, err
			}
			if len(got) > MaxOffersPerItem {
				got = got[:MaxOffersPerItem]
			}
			out = append(out, got...)
			for _, it := range got {
				if KindFits(pi.Kind, it.Kind) {
					found++
				}
			}
		}
	}
	return out, nil
}
