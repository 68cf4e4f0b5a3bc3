package consentdir

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
)

var _ consent.ExportSource = (*Directory)(nil)

// WriteSection: see consent.ExportSource. Every read goes through the owning
// context's public use case with the owner's own principal, so the context's
// own rules decide what the owner may see. Lists are read page by page
// (kernel.MaxLimit items, at most consent.MaxExportPages pages) and written
// as they come; one page is held at a time.
func (d *Directory) WriteSection(ctx context.Context, p kernel.Principal, section string, w io.Writer) error {
	if section == consent.SectionFHIR {
		return d.fhirSection(ctx, p, w)
	}
	s := newStream(w)
	s.open(section, p)
	var err error
	switch section {
	case consent.SectionIdentity:
		err = d.identitySection(ctx, p, s)
	case consent.SectionScheduling:
		err = d.schedulingSection(ctx, p, s)
	case consent.SectionClinical:
		err = d.clinicalSection(ctx, p, s)
	case consent.SectionCommerce:
		err = d.commerceSection(ctx, p, s)
	case consent.SectionAccessLog:
		err = d.accessLogSection(ctx, p, s)
	case consent.SectionMessages:
		err = d.messagesSection(ctx, p, s)
	default:
		s.note("seção desconhecida")
	}
	if err != nil {
		return err
	}
	return s.close()
}

func (d *Directory) identitySection(ctx context.Context, p kernel.Principal, s *stream) error {
	me, err := d.ids.GetMe(ctx, p)
	if err != nil {
		return err
	}
	a := me.Account
	s.field("account", map[string]any{"id": a.ID, "kind": string(a.Kind), "name": a.Name, "email": a.Email, "phone": a.Phone,
		"company_id": a.CompanyID, "role": a.Role, "created_at": showTime(a.CreatedAt), "updated_at": showTime(a.UpdatedAt)})
	switch {
	case me.Patient != nil:
		s.field("patient_profile", convert(*me.Patient))
	case me.Professional != nil:
		s.field("professional_profile", convert(*me.Professional))
	case me.Company != nil:
		// the company's own records are not the member's personal data: only which company they act for
		s.field("company", map[string]any{"id": me.Company.ID, "trade_name": me.Company.TradeName, "role": a.Role})
	}
	return s.err
}

func (d *Directory) schedulingSection(ctx context.Context, p kernel.Principal, s *stream) error {
	switch p.Kind {
	case kernel.KindPatient:
		if err := s.list("appointments", func(pg kernel.Page) (any, string, error) {
			l, err := d.sched.ListAppointments(ctx, p, scheduling.AppointmentFilter{}, pg)
			return l.Items, l.NextCursor, err
		}); err != nil {
			return err
		}
		wl, err := d.sched.MyWaitlist(ctx, p)
		if err != nil {
			return err
		}
		s.field("waitlist", convert(wl))
	case kernel.KindProfessional:
		// the agenda holds patients' data: only the professional's own availability
		av, err := d.sched.GetAvailability(ctx, p, p.AccountID)
		if err != nil && kernel.KindOf(err) != kernel.KindNotFound {
			return err
		}
		if err == nil {
			s.field("availability", convert(av))
		}
		s.note("A agenda do profissional contém dados de pacientes e não faz parte desta exportação.")
	default:
		s.note("Não há agendamentos em nome deste tipo de conta.")
	}
	return s.err
}

func (d *Directory) clinicalSection(ctx context.Context, p kernel.Principal, s *stream) error {
	if p.Kind != kernel.KindPatient {
		s.note("Prontuários pertencem aos pacientes; dados de pacientes não fazem parte desta exportação.")
		return s.err
	}
	id := p.AccountID
	lists := []struct {
		name string
		read func(kernel.Page) (any, string, error)
	}{
		{"history", func(pg kernel.Page) (any, string, error) {
			l, err := d.cli.History(ctx, p, id, clinical.TimelineQuery{}, pg)
			return l.Items, l.NextCursor, err
		}},
		{"evaluations", func(pg kernel.Page) (any, string, error) {
			l, err := d.cli.Evaluations(ctx, p, id, pg)
			return l.Items, l.NextCursor, err
		}},
		{"treatment_plans", func(pg kernel.Page) (any, string, error) {
			l, err := d.cli.Plans(ctx, p, id, "", pg)
			return l.Items, l.NextCursor, err
		}},
		{"prescriptions", func(pg kernel.Page) (any, string, error) {
			l, err := d.cli.Prescriptions(ctx, p, id, pg)
			return l.Items, l.NextCursor, err
		}},
		{"documents", func(pg kernel.Page) (any, string, error) {
			l, err := d.cli.Documents(ctx, p, id, pg)
			return l.Items, l.NextCursor, err
		}},
		{"record_shares", func(pg kernel.Page) (any, string, error) {
			l, err := d.cli.Shares(ctx, p, pg)
			return l.Items, l.NextCursor, err
		}},
	}
	for _, l := range lists {
		if err := s.list(l.name, l.read); err != nil {
			return err
		}
	}
	s.note("O conteúdo de cada documento está na pasta documents/ do arquivo.")
	return s.err
}

func (d *Directory) commerceSection(ctx context.Context, p kernel.Principal, s *stream) error {
	if p.Kind != kernel.KindPatient {
		s.note("Não há compras em nome deste tipo de conta.")
		return s.err
	}
	if err := s.list("orders", func(pg kernel.Page) (any, string, error) {
		l, err := d.com.MyOrders(ctx, p, "", pg)
		return l.Items, l.NextCursor, err
	}); err != nil {
		return err
	}
	return s.list("payments", func(pg kernel.Page) (any, string, error) {
		l, err := d.com.MyPayments(ctx, p, pg)
		return l.Items, l.NextCursor, err
	})
}

func (d *Directory) accessLogSection(ctx context.Context, p kernel.Principal, s *stream) error {
	if p.Kind != kernel.KindPatient {
		s.note("O registro de acessos é o do prontuário, que só pacientes têm.")
		return s.err
	}
	return s.list("entries", func(pg kernel.Page) (any, string, error) {
		l, err := d.cli.AccessLog(ctx, p, pg)
		return l.Items, l.NextCursor, err
	})
}

// Documents: see consent.ExportSource (clinical documents, then the
// attachments of the patient's messages: attachments.go).
func (d *Directory) Documents(ctx context.Context, p kernel.Principal, limit int) ([]consent.ExportDocument, bool, error) {
	if p.Kind != kernel.KindPatient {
		return nil, false, nil
	}
	docs, more, err := d.clinicalDocuments(ctx, p, limit)
	if err != nil || more {
		return docs, more, err
	}
	return d.attachments(ctx, p, docs, limit)
}

func (d *Directory) clinicalDocuments(ctx context.Context, p kernel.Principal, limit int) ([]consent.ExportDocument, bool, error) {
	var out []consent.ExportDocument
	pg := kernel.Page{Limit: kernel.MaxLimit}
	for range consent.MaxExportPages {
		l, err := d.cli.Documents(ctx, p, p.AccountID, pg)
		if err != nil {
			return nil, false, err
		}
		for _, doc := range l.Items {
			if len(out) == limit {
				return out, true, nil
			}
			out = append(out, consent.ExportDocument{ID: doc.ID, FileName: doc.FileName, Size: doc.Size})
		}
		if l.NextCursor == "" {
			return out, false, nil
		}
		pg.Cursor = l.NextCursor
	}
	return out, true, nil
}

// OpenDocument: see consent.ExportSource (clinical's DownloadDocument, which
// decrypts and checks the checksum, and logs the read in the access log; an
// attachment through chat's Attachment).
func (d *Directory) OpenDocument(ctx context.Context, p kernel.Principal, doc consent.ExportDocument) (io.ReadCloser, error) {
	if doc.Folder == consent.FolderAttachments {
		return d.openAttachment(ctx, p, doc.ID)
	}
	_, content, err := d.cli.DownloadDocument(ctx, p, doc.ID)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(content)), nil
}

// --- a streamed JSON object ---

// stream writes one JSON object field by field; the first error sticks.
type stream struct {
	w     *bufio.Writer
	first bool
	err   error
	notes []string
}

func newStream(w io.Writer) *stream { return &stream{w: bufio.NewWriter(w), first: true} }

func (s *stream) raw(b string) {
	if s.err == nil {
		_, s.err = s.w.WriteString(b)
	}
}

func (s *stream) key(k string) {
	if !s.first {
		s.raw(",\n")
	}
	s.first = false
	b, _ := json.Marshal(k)
	s.raw("  " + string(b) + ": ")
}

func (s *stream) value(v any) {
	if s.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		s.err = err
		return
	}
	s.raw(string(b))
}

func (s *stream) field(k string, v any) { s.key(k); s.value(v) }

func (s *stream) note(n string) { s.notes = append(s.notes, n) }

func (s *stream) open(section string, p kernel.Principal) {
	s.raw("{\n")
	s.field("section", section)
	s.field("owner_id", p.AccountID)
	s.field("owner_kind", string(p.Kind))
}

// list writes k as an array read page by page until the last page (or
// consent.MaxExportPages pages; then a note says the list was cut).
func (s *stream) list(k string, read func(kernel.Page) (any, string, error)) error {
	s.key(k)
	s.raw("[")
	n := 0
	pg := kernel.Page{Limit: kernel.MaxLimit}
	cut := true
	for range consent.MaxExportPages {
		items, next, err := read(pg)
		if err != nil {
			return err
		}
		for _, it := range convertList(items) {
			if n > 0 {
				s.raw(",")
			}
			s.raw("\n    ")
			s.value(it)
			n++
		}
		if next == "" {
			cut = false
			break
		}
		pg.Cursor = next
	}
	s.raw("\n  ]")
	if cut {
		s.note("A lista " + k + " foi limitada aos primeiros itens; peça ao suporte o restante.")
	}
	return s.err
}

func (s *stream) close() error {
	if len(s.notes) > 0 {
		s.field("notes", s.notes)
	}
	s.raw("\n}\n")
	if s.err != nil {
		return s.err
	}
	return s.w.Flush()
}

// --- converting domain values to the archive's JSON ---

// dropped are fields of domain types that are internal, not personal data
// the owner gave or that describes them (storage keys, credential hashes).
var dropped = map[string]bool{"blob_key": true, "password_hash": true, "subject": true}

var saoPaulo = func() *time.Location {
	if loc, err := time.LoadLocation("America/Sao_Paulo"); err == nil {
		return loc
	}
	return time.FixedZone("BRT", -3*3600)
}()

func showTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.In(saoPaulo).Format(time.RFC3339)
}

// convert turns a domain value (plain structs, no JSON tags) into the
// archive's shape: snake_case keys, instants in São Paulo time, calendar
// dates (fields named date or *_date) as YYYY-MM-DD, zero times null,
// internal fields dropped.
func convert(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var x any
	if json.Unmarshal(b, &x) != nil {
		return nil
	}
	return reshape(x)
}

func convertList(items any) []any {
	x, ok := convert(items).([]any)
	if !ok {
		return nil
	}
	return x
}

func reshape(x any) any {
	switch v := x.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, val := range v {
			sk := snake(k)
			if dropped[sk] {
				continue
			}
			if str, ok := val.(string); ok && (sk == "date" || strings.HasSuffix(sk, "_date")) {
				if t, err := time.Parse(time.RFC3339Nano, str); err == nil {
					out[sk] = t.UTC().Format("2006-01-02") // a calendar date, stored at midnight UTC
					continue
				}
			}
			out[sk] = reshape(val)
		}
		return out
	case []any:
		for i := range v {
			v[i] = reshape(v[i])
		}
		return v
	case string:
		if len(v) >= 20 && len(v) <= 40 && v[4] == '-' && v[10] == 'T' {
			if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
				return showTime(t)
			}
		}
	}
	return x
}

// snake turns a Go field name into snake_case: PatientID → patient_id,
// CPF → cpf, SignedAt → signed_at.
func snake(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) {
			prevLower := i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]))
			nextLower := i > 0 && i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1])
			if prevLower || nextLower {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
