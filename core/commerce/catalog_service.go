package commerce

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/multisaude/multisaude/core/kernel"
)

// ScopeCatalogWrite is the API key scope that manages the key's company's catalogue.
const ScopeCatalogWrite = "catalog:write"

var (
	errNoCompany = kernel.NotFound("empresa não encontrada")
	errNoItem    = kernel.NotFound("item não encontrado no catálogo")
)

// ownsCatalog reports whether p speaks for companyID's catalogue: a member
// (admin or staff) of the company, or one of its API keys with catalog:write.
func ownsCatalog(p kernel.Principal, companyID kernel.ID) bool {
	switch p.Kind {
	case kernel.KindCompanyMember:
		return p.CompanyID == companyID && (p.HasRole("admin") || p.HasRole("staff"))
	case kernel.KindAPIKey:
		return p.CompanyID == companyID && p.HasScope(ScopeCatalogWrite)
	}
	return false
}

// insider reports whether p belongs to companyID (a member or an API key, whatever its roles or scopes).
func insider(p kernel.Principal, companyID kernel.ID) bool {
	return (p.Kind == kernel.KindCompanyMember || p.Kind == kernel.KindAPIKey) && p.CompanyID == companyID
}

func (s *Service) company(ctx context.Context, id kernel.ID) (Company, error) {
	if !kernel.ValidID(id) {
		return Company{}, errNoCompany
	}
	co, err := s.Dir.Company(ctx, id)
	if err != nil {
		if kernel.KindOf(err) == kernel.KindNotFound {
			return Company{}, errNoCompany
		}
		return Company{}, kernel.Wrap(err, "read company")
	}
	return co, nil
}

// catalogWriter checks that p may change companyID's catalogue and returns the company.
func (s *Service) catalogWriter(ctx context.Context, p kernel.Principal, companyID kernel.ID) (Company, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Company{}, err
	}
	co, err := s.company(ctx, companyID)
	if err != nil {
		return Company{}, err
	}
	if !co.Verified && !insider(p, companyID) && p.Kind != kernel.KindAdmin {
		return Company{}, errNoCompany // an unverified company is not known to others
	}
	if !ownsCatalog(p, companyID) {
		if p.Kind == kernel.KindAPIKey && p.CompanyID == companyID {
			return Company{}, kernel.Forbidden("a chave de API não tem o escopo %s", ScopeCatalogWrite)
		}
		return Company{}, kernel.Forbidden("só os membros da empresa e as suas chaves de API com o escopo %s alteram o catálogo", ScopeCatalogWrite)
	}
	if !co.Verified {
		return Company{}, kernel.Forbidden("a empresa ainda não foi verificada; o catálogo poderá ser publicado depois da verificação")
	}
	return co, nil
}

// catalogReader checks that p may read companyID's catalogue: anyone when the
// company is verified (patients browse), else only its own members and keys
// and platform admins.
func (s *Service) catalogReader(ctx context.Context, p kernel.Principal, companyID kernel.ID) (Company, error) {
	co, err := s.company(ctx, companyID)
	if err != nil {
		return Company{}, err
	}
	if !co.Verified && !insider(p, companyID) && p.Kind != kernel.KindAdmin {
		return Company{}, errNoCompany
	}
	return co, nil
}

// PutItem creates or replaces the item sku of companyID's catalogue. Putting
// the same content again changes nothing (same version, PutUnchanged).
func (s *Service) PutItem(ctx context.Context, p kernel.Principal, companyID kernel.ID, in ItemInput) (Item, PutResult, error) {
	co, err := s.catalogWriter(ctx, p, companyID)
	if err != nil {
		return Item{}, "", err
	}
	it, probs := in.Validate(co.Type)
	if probs != nil {
		return Item{}, "", probs.Err()
	}
	now := s.now()
	it.CompanyID, it.CreatedAt, it.UpdatedAt = companyID, now, now
	out, err := s.Catalog.PutItems(ctx, companyID, []Item{it}, nil)
	if err != nil {
		return Item{}, "", kernel.Wrap(err, "put item")
	}
	if len(out) != 1 {
		return Item{}, "", kernel.Internal(nil, "put item: %d outcomes", len(out))
	}
	return out[0].Item, out[0].Result, nil
}

// Item returns one item of companyID's catalogue.
func (s *Service) Item(ctx context.Context, p kernel.Principal, companyID kernel.ID, sku string) (Item, error) {
	if _, err := s.catalogReader(ctx, p, companyID); err != nil {
		return Item{}, err
	}
	if !ValidSKU(sku) {
		return Item{}, errNoItem
	}
	it, err := s.Catalog.Item(ctx, companyID, sku)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return Item{}, errNoItem
	}
	return it, err
}

// ListItems returns one page of companyID's catalogue, ordered by SKU.
func (s *Service) ListItems(ctx context.Context, p kernel.Principal, companyID kernel.ID, f ItemFilter, page kernel.Page) (kernel.List[Item], error) {
	page, err := page.Normalize()
	if err != nil {
		return kernel.List[Item]{}, err
	}
	var probs kernel.Problems
	if f.Kind != "" && !slices.Contains(Kinds(), string(f.Kind)) {
		probs.Add("kind", "deve ser um de: %s", strings.Join(Kinds(), ", "))
	}
	if f.Tag != "" && (len(f.Tag) > MaxItemTagLen || !tagRe.MatchString(f.Tag)) {
		probs.Add("tag", "deve ser um identificador em minúsculas, como drug:losartan")
	}
	f.Q = strings.TrimSpace(f.Q)
	if len([]rune(f.Q)) > MaxCatalogQueryLen {
		probs.Add("q", "deve ter no máximo %d caracteres", MaxCatalogQueryLen)
	}
	if err := probs.Err(); err != nil {
		return kernel.List[Item]{}, err
	}
	if _, err := s.catalogReader(ctx, p, companyID); err != nil {
		return kernel.List[Item]{}, err
	}
	f.CompanyID = companyID
	return s.Catalog.ListItems(ctx, f, page)
}

// DeleteItem removes an item from companyID's catalogue. Orders already placed
// keep the lines they captured.
func (s *Service) DeleteItem(ctx context.Context, p kernel.Principal, companyID kernel.ID, sku string) error {
	if _, err := s.catalogWriter(ctx, p, companyID); err != nil {
		return err
	}
	if !ValidSKU(sku) {
		return errNoItem
	}
	err := s.Catalog.DeleteItem(ctx, companyID, sku)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return errNoItem
	}
	return err
}

// ImportResult is what an import did with one line: PutCreated, PutUpdated,
// PutUnchanged or ImportRefused (then Errors says why).
type ImportResult = PutResult

// ImportRefused marks an import line that was not stored.
const ImportRefused ImportResult = "refused"

// ImportLineResult is the answer for one line of an import.
type ImportLineResult struct {
	Line   int
	SKU    string
	Result ImportResult
	Errors []kernel.FieldError // at most MaxLineErrors (the last one then says how many more)
}

// ImportReport is the answer of an import: one result per item line, and totals.
type ImportReport struct {
	Lines                                []ImportLineResult
	Created, Updated, Unchanged, Refused int
}

// ImportCatalog upserts many items of companyID's catalogue at once. parse,
// called only once the caller may write, reads the request's lines (see
// ParseCatalogCSV); a refused line does not stop the others. The valid lines
// are stored in one transaction, together with one catalog.imported partner
// event carrying the totals.
func (s *Service) ImportCatalog(ctx context.Context, p kernel.Principal, companyID kernel.ID, parse func() ([]ImportLine, error)) (ImportReport, error) {
	co, err := s.catalogWriter(ctx, p, companyID)
	if err != nil {
		return ImportReport{}, err
	}
	lines, err := parse()
	if err != nil {
		return ImportReport{}, err
	}
	if len(lines) > MaxImportLines {
		return ImportReport{}, tooManyLines()
	}
	if len(lines) == 0 {
		return ImportReport{}, kernel.Invalid("body", "o arquivo não tem nenhum item")
	}
	now := s.now()
	rep := ImportReport{Lines: make([]ImportLineResult, len(lines))}
	var items []Item
	var at []int // index in rep.Lines of each item
	seen := map[string]int{}
	for i, l := range lines {
		r := ImportLineResult{Line: l.Line, SKU: truncate(l.Item.SKU, MaxSKULen+1)}
		var probs kernel.Problems
		for _, e := range l.Errors {
			probs.Add(e.Field, "%s", e.Message)
		}
		it, vp := l.Item.Validate(co.Type)
		if vp != nil {
			for _, e := range vp.Fields() {
				if !hasField(l.Errors, e.Field) {
					probs.Add(e.Field, "%s", e.Message)
				}
			}
		}
		if first, dup := seen[l.Item.SKU]; dup && l.Item.SKU != "" {
			probs.Add("sku", "repete o SKU da linha %d", first)
		} else if l.Item.SKU != "" {
			seen[l.Item.SKU] = l.Line
		}
		if !probs.Empty() {
			r.Result, r.Errors = ImportRefused, capErrors(probs.Fields())
			rep.Refused++
		} else {
			it.CompanyID, it.CreatedAt, it.UpdatedAt = companyID, now, now
			items = append(items, it)
			at = append(at, i)
		}
		rep.Lines[i] = r
	}
	refused := rep.Refused
	outs, err := s.Catalog.PutItems(ctx, companyID, items, func(outs []PutOutcome) []kernel.Event {
		var c, u int
		for _, o := range outs {
			switch o.Result {
			case PutCreated:
				c++
			case PutUpdated:
				u++
			}
		}
		return []kernel.Event{PartnerEvent(EventCatalogImported, companyID, map[string]any{"created": c, "updated": u, "refused": refused}, now)}
	})
	if err != nil {
		return ImportReport{}, kernel.Wrap(err, "import catalogue")
	}
	if len(outs) != len(items) {
		return ImportReport{}, kernel.Internal(nil, "import: %d outcomes for %d items", len(outs), len(items))
	}
	for k, o := range outs {
		rep.Lines[at[k]].Result = o.Result
		switch o.Result {
		case PutCreated:
			rep.Created++
		case PutUpdated:
			rep.Updated++
		default:
			rep.Unchanged++
		}
	}
	return rep, nil
}

func hasField(list []kernel.FieldError, field string) bool {
	for _, e := range list {
		if e.Field == field || strings.HasPrefix(field, e.Field+".") {
			return true
		}
	}
	return false
}

func capErrors(list []kernel.FieldError) []kernel.FieldError {
	if len(list) <= MaxLineErrors {
		return list
	}
	out := append([]kernel.FieldError(nil), list[:MaxLineErrors-1]...)
	return append(out, kernel.FieldError{Field: kernel.MoreField, Message: fmt.Sprintf("e mais %d erros nesta linha", len(list)-MaxLineErrors+1)})
}
