package commerce

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/multisaude/multisaude/core/kernel"
)

// fakeDir is an in-memory Directory: plans readable by their patient and by
// the listed carers (others get 404), companies, patients.
type fakeDir struct {
	plans      map[kernel.ID]Plan
	carers     map[kernel.ID][]kernel.ID // plan -> professionals caring for its patient
	companies  []Company
	patients   map[kernel.ID]Patient
	types      [][]string // Partners calls
	patientErr error
}

func (d *fakeDir) Company(ctx context.Context, id kernel.ID) (Company, error) {
	for _, c := range d.companies {
		if c.ID == id {
			return c, nil
		}
	}
	return Company{}, kernel.NotFound("empresa não encontrada")
}

func (d *fakeDir) Partners(ctx context.Context, types []string) ([]Company, error) {
	d.types = append(d.types, slices.Clone(types))
	var out []Company
	for _, c := range d.companies {
		if c.Verified && slices.Contains(types, c.Type) {
			out = append(out, c)
		}
	}
	return out, nil
}

func (d *fakeDir) Plan(ctx context.Context, p kernel.Principal, id kernel.ID) (Plan, error) {
	pl, ok := d.plans[id]
	if !ok || (p.AccountID != pl.PatientID && !slices.Contains(d.carers[id], p.AccountID)) {
		return Plan{}, kernel.NotFound("plano não encontrado")
	}
	if p.Kind == kernel.KindAdmin {
		return Plan{}, kernel.Forbidden("só o paciente ou um profissional que o atende pode ver as opções de compra do plano")
	}
	return pl, nil
}

func (d *fakeDir) Prescription(ctx context.Context, p kernel.Principal, id kernel.ID) (Prescription, error) {
	return Prescription{}, kernel.NotFound("receita não encontrada")
}

func (d *fakeDir) Dispense(ctx context.Context, p kernel.Principal, code, name, doc string) error {
	return kernel.Forbidden("não")
}

func (d *fakeDir) Appointment(ctx context.Context, p kernel.Principal, id kernel.ID) (Appointment, error) {
	return Appointment{}, kernel.NotFound("consulta não encontrada")
}

func (d *fakeDir) Patient(ctx context.Context, id kernel.ID) (Patient, error) {
	if d.patientErr != nil {
		return Patient{}, d.patientErr
	}
	pt, ok := d.patients[id]
	if !ok {
		return Patient{}, kernel.NotFound("paciente não encontrado")
	}
	return pt, nil
}

// fakeCatalog is an in-memory CatalogStore honouring OfferQuery.
type fakeCatalog struct {
	CatalogStore // only Offers is used; anything else panics
	items        []Item
	queries      []OfferQuery
	err          error
}

func (c *fakeCatalog) Items(ctx context.Context, companyID kernel.ID, skus []string) (map[string]Item, error) {
	out := map[string]Item{}
	for _, it := range c.items {
		if it.CompanyID == companyID && slices.Contains(skus, it.SKU) {
			out[it.SKU] = it
		}
	}
	return out, nil
}

func (c *fakeCatalog) Offers(ctx context.Context, q OfferQuery) ([]Item, error) {
	c.queries = append(c.queries, q)
	if c.err != nil {
		return nil, c.err
	}
	var out []Item
	for _, it := range c.items {
		if slices.Contains(q.CompanyIDs, it.CompanyID) && slices.ContainsFunc(it.Tags, func(t string) bool { return slices.Contains(q.Tags, t) }) {
			out = append(out, it)
		}
	}
	slices.SortFunc(out, func(a, b Item) int {
		if a.CompanyID != b.CompanyID {
			return cmpStr(a.CompanyID, b.CompanyID)
		}
		return cmpStr(a.SKU, b.SKU)
	})
	if len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

var (
	patient = kernel.Principal{AccountID: "pat", Kind: kernel.KindPatient}
	other   = kernel.Principal{AccountID: "pat2", Kind: kernel.KindPatient}
	doctor  = kernel.Principal{AccountID: "doc", Kind: kernel.KindProfessional}
)

func optionsWorld() (*Service, *fakeDir, *fakeCatalog) {
	dir := &fakeDir{
		plans: map[kernel.ID]Plan{
			"active": {ID: "active", PatientID: "pat", Active: true, Items: []PlanItem{
				planItem("i1", "medication", "drug:losartan"), planItem("i2", "diet", "food:oats"), planItem("i3", "exam", "exam:glucose")}},
			"draft": {ID: "draft", PatientID: "pat", Active: false, Items: []PlanItem{planItem("i1", "medication", "drug:losartan")}},
		},
		carers:    map[kernel.ID][]kernel.ID{"active": {"doc"}, "draft": {"doc"}},
		companies: []Company{company("ph", "pharmacy", near1), company("mk", "market", near1), company("gym", "gym", near1)},
		patients:  map[kernel.ID]Patient{"pat": {ID: "pat", Name: "Maria", Point: here}},
	}
	cat := &fakeCatalog{items: []Item{
		item("ph", "los50", KindMedication, 1890, stock(3), deliver(5, 600), "drug:losartan"),
		item("mk", "oats", KindFood, 990, nil, pickup, "food:oats"),
	}}
	return NewService(Deps{Catalog: cat, Dir: dir}, Config{}), dir, cat
}

func TestPurchaseOptionsUseCase(t *testing.T) {
	ctx := context.Background()
	t.Run("the patient, near their registered address", func(t *testing.T) {
		s, dir, cat := optionsWorld()
		po, err := s.PurchaseOptions(ctx, patient, "active", nil)
		if err != nil {
			t.Fatal(err)
		}
		if po.Near == nil || *po.Near != *here {
			t.Fatalf("near = %v, want the patient's point", po.Near)
		}
		if len(po.Items) != 3 || len(po.Items[0].Offers) != 1 || !po.Items[0].Offers[0].Delivery.Available || po.Items[0].Offers[0].DistanceKM == nil {
			t.Fatalf("items = %+v", po.Items)
		}
		if !po.Items[2].Uncovered || len(po.Items[2].Offers) != 0 {
			t.Errorf("the exam has no hospital: %+v", po.Items[2])
		}
		if po.Cheapest.Total.Amount != 1890+600+990 || !slices.Equal(po.Cheapest.Uncovered, []kernel.ID{"i3"}) {
			t.Errorf("cheapest = %+v", po.Cheapest)
		}
		if got := dir.types[0]; !slices.Equal(got, []string{"hospital", "laboratory", "market", "pharmacy"}) {
			t.Errorf("partner types = %v", got)
		}
		for _, q := range cat.queries {
			if q.Limit != MaxOffersPerItem || len(q.CompanyIDs) == 0 || len(q.Tags) == 0 {
				t.Errorf("query = %+v", q)
			}
		}
		if len(cat.queries) != 2 { // the exam has no partner to read
			t.Errorf("queries = %+v", cat.queries)
		}
	})
	t.Run("a professional caring for them, with near given", func(t *testing.T) {
		s, _, _ := optionsWorld()
		po, err := s.PurchaseOptions(ctx, doctor, "active", far)
		if err != nil {
			t.Fatal(err)
		}
		if *po.Near != *far || len(po.Items[0].Offers) != 0 || !po.Items[0].Uncovered {
			t.Fatalf("from Rio the pharmacy does not deliver: %+v", po.Items[0])
		}
		if len(po.Items[1].Offers) != 1 || po.Items[1].Uncovered {
			t.Errorf("the market allows pickup: %+v", po.Items[1])
		}
	})
	t.Run("no point known: only pickup", func(t *testing.T) {
		s, dir, _ := optionsWorld()
		dir.patients["pat"] = Patient{ID: "pat"}
		po, err := s.PurchaseOptions(ctx, patient, "active", nil)
		if err != nil || po.Near != nil || !po.Items[0].Uncovered || po.Items[1].Uncovered {
			t.Fatalf("po = %+v, err %v", po, err)
		}
	})
	t.Run("a missing patient record is no point; another error is returned", func(t *testing.T) {
		s, dir, _ := optionsWorld()
		delete(dir.patients, "pat")
		if _, err := s.PurchaseOptions(ctx, patient, "active", nil); err != nil {
			t.Fatal(err)
		}
		dir.patientErr = kernel.Unavailable(errors.New("down"), "indisponível")
		if _, err := s.PurchaseOptions(ctx, patient, "active", nil); kernel.KindOf(err) != kernel.KindUnavailable {
			t.Fatalf("err = %v", err)
		}
	})
	errs := []struct {
		name string
		p    kernel.Principal
		plan kernel.ID
		near *Point
		want kernel.Kind
	}{
		{"another patient", other, "active", nil, kernel.KindNotFound},
		{"no such plan", patient, "nope", nil, kernel.KindNotFound},
		{"admin (metadata only)", kernel.Principal{AccountID: "pat", Kind: kernel.KindAdmin}, "active", nil, kernel.KindForbidden},
		{"draft plan", patient, "draft", nil, kernel.KindConflict},
		{"near out of range", patient, "active", &Point{Lat: 91, Lng: 0}, kernel.KindInvalid},
		{"near longitude out of range", patient, "active", &Point{Lat: 0, Lng: -180.5}, kernel.KindInvalid},
		{"near not a number", patient, "active", &Point{Lat: math.NaN(), Lng: 0}, kernel.KindInvalid},
	}
	for _, c := range errs {
		t.Run(c.name, func(t *testing.T) {
			s, _, cat := optionsWorld()
			_, err := s.PurchaseOptions(ctx, c.p, c.plan, c.near)
			if kernel.KindOf(err) != c.want {
				t.Fatalf("err = %v, want %s", err, c.want)
			}
			if len(cat.queries) != 0 {
				t.Errorf("the catalogue was read: %+v", cat.queries)
			}
			var ke *kernel.Error
			if c.want == kernel.KindConflict && (!errors.As(err, &ke) || ke.Message != "o plano não está ativo") {
				t.Errorf("conflict message = %v", err)
			}
		})
	}
	t.Run("a store error is returned", func(t *testing.T) {
		s, _, cat := optionsWorld()
		cat.err = kernel.Unavailable(errors.New("db"), "indisponível")
		if _, err := s.PurchaseOptions(ctx, patient, "active", nil); kernel.KindOf(err) != kernel.KindUnavailable {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestPurchaseOptionsBounds(t *testing.T) {
	ctx := context.Background()
	s, dir, cat := optionsWorld()
	// 260 pharmacies, each 0.01° further east; the 200 nearest are read, nearest first, 50 at a time
	dir.companies = nil
	cat.items = nil
	for i := range 260 {
		id := fmt.Sprintf("ph%03d", 259-i) // IDs in the reverse order of distance
		dir.companies = append(dir.companies, company(id, "pharmacy", &Point{Lat: here.Lat, Lng: here.Lng + float64(i)*0.01}))
		if i%100 == 99 {
			cat.items = append(cat.items, item(id, "los", KindMedication, 1000, nil, pickup, "drug:losartan"))
		}
	}
	unverified := company("zz", "pharmacy", here)
	unverified.Verified = false
	dir.companies = append(dir.companies, unverified)
	var items []PlanItem
	for i := range MaxOptionItems + 5 {
		items = append(items, planItem(fmt.Sprintf("i%03d", i), "medication", "drug:losartan"))
	}
	dir.plans["big"] = Plan{ID: "big", PatientID: "pat", Active: true, Items: items}
	po, err := s.PurchaseOptions(ctx, patient, "big", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(po.Items) != MaxOptionItems {
		t.Errorf("items = %d", len(po.Items))
	}
	// equal items are read once: 4 groups of 50 partners
	if len(cat.queries) != 4 {
		t.Fatalf("queries = %d", len(cat.queries))
	}
	if first := cat.queries[0].CompanyIDs; len(first) != MaxOffersPerItem || first[0] != "ph259" || first[49] != "ph210" {
		t.Errorf("first group = %v", first)
	}
	for _, q := range cat.queries {
		if slices.Contains(q.CompanyIDs, "zz") || slices.Contains(q.CompanyIDs, "ph059") {
			t.Errorf("an unverified or too distant partner was read: %v", q.CompanyIDs)
		}
	}
	// two pharmacies among the 200 nearest stock it (i = 99 and 199); unlimited stock covers every item
	if n := len(po.Items[0].Offers); n != 2 || len(po.Cheapest.Uncovered) != 0 || len(po.FewestPartners.Partners) != 1 {
		t.Errorf("offers %d, uncovered %d, fewest partners %d", n, len(po.Cheapest.Uncovered), len(po.FewestPartners.Partners))
	}
}
