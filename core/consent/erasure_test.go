package consent

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

type memErasures struct {
	mu     sync.Mutex
	rows   map[kernel.ID]ErasureRequest
	events []kernel.Event
}

func (m *memErasures) CreateErasure(_ context.Context, r ErasureRequest, events ...kernel.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, x := range m.rows {
		if x.SubjectID == r.SubjectID && x.Status != ErasureDone {
			return kernel.Conflict("em andamento")
		}
	}
	m.rows[r.ID] = r
	m.events = append(m.events, events...)
	return nil
}

func (m *memErasures) GetErasure(_ context.Context, id kernel.ID) (ErasureRequest, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.rows[id]
	if !ok {
		return r, kernel.NotFound("x")
	}
	return r, nil
}

func (m *memErasures) UpdateErasure(_ context.Context, id kernel.ID, fn func(*ErasureRequest) error) (ErasureRequest, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.rows[id]
	if !ok {
		return r, kernel.NotFound("x")
	}
	r.Done = slices.Clone(r.Done)
	if err := fn(&r); err != nil {
		return ErasureRequest{}, err
	}
	m.rows[id] = r
	return r, nil
}

func (m *memErasures) ListErasures(context.Context, kernel.Page) (kernel.List[ErasureRequest], error) {
	return kernel.List[ErasureRequest]{}, nil
}

func (m *memErasures) ErasedSubjects(_ context.Context, after kernel.ID, limit int) ([]kernel.ID, error) {
	var ids []kernel.ID
	for _, r := range m.rows {
		if r.Status == ErasureDone && r.SubjectID > after {
			ids = append(ids, r.SubjectID)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

type fakeEraser struct {
	calls  []string
	failOn string // a step that fails once
	purged int
}

func (f *fakeEraser) ErasureFacts(context.Context, kernel.ID, SubjectKind) (ErasureFacts, error) {
	return ErasureFacts{LastClinicalEntry: time.Now().AddDate(-1, 0, 0)}, nil
}
func (f *fakeEraser) step(s string) error {
	if s == f.failOn {
		f.failOn = ""
		return kernel.Unavailable(errors.New("down"), "fora do ar")
	}
	f.calls = append(f.calls, s)
	return nil
}
func (f *fakeEraser) RevokeAccess(context.Context, kernel.ID, SubjectKind) error {
	return f.step(StepAccess)
}
func (f *fakeEraser) CancelPending(context.Context, kernel.ID, SubjectKind) error {
	return f.step(StepPending)
}
func (f *fakeEraser) Erase(_ context.Context, _ kernel.ID, _ SubjectKind, d ErasureDecision, _ time.Time) error {
	return f.step(d.Class)
}
func (f *fakeEraser) PurgeClinical(context.Context, time.Time, int) (int, error) {
	f.purged++
	return 0, nil
}
func (f *fakeEraser) PurgeMessages(_ context.Context, _ time.Time, limit int) (int, error) {
	f.calls = append(f.calls, "purge-messages")
	if limit != MaxPurgeMessages {
		return 0, errors.New("the purge did not cap the messages")
	}
	return 3, nil
}
func (f *fakeEraser) AnonymiseOrders(context.Context, kernel.ID, time.Time) (int, error) {
	f.calls = append(f.calls, "anonymise-orders")
	return 1, nil
}

type memTrail struct{ actions []string }

func (m *memTrail) Append(_ context.Context, rs ...ports.AuditRecord) error {
	for _, r := range rs {
		m.actions = append(m.actions, r.Action)
	}
	return nil
}

func TestErasureRequestAndWorker(t *testing.T) {
	ctx := context.Background()
	store, er, trail := &memErasures{rows: map[kernel.ID]ErasureRequest{}}, &fakeEraser{failOn: ClassClinical}, &memTrail{}
	s := NewService(Deps{Erasures: store, Eraser: er, Trail: trail}, Config{})
	pat := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}

	if _, err := s.RequestErasure(ctx, pat, ErasureInput{Confirm: "sim"}, "r"); kernel.KindOf(err) != kernel.KindInvalid {
		t.Fatalf("no confirmation: %v", err)
	}
	if _, err := s.RequestErasure(ctx, kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindAdmin}, ErasureInput{Confirm: ErasureConfirmation}, "r"); kernel.KindOf(err) != kernel.KindForbidden {
		t.Fatalf("admin: %v", err)
	}
	r, err := s.RequestErasure(ctx, pat, ErasureInput{Confirm: ErasureConfirmation}, "r")
	if err != nil || r.Status != ErasurePending || len(store.events) != 1 || store.events[0].Topic != TopicErasureRequested {
		t.Fatalf("request: %+v %v %v", r, err, store.events)
	}
	if _, err := s.RequestErasure(ctx, pat, ErasureInput{Confirm: ErasureConfirmation}, "r"); kernel.KindOf(err) != kernel.KindConflict {
		t.Fatalf("second request: %v", err)
	}
	if _, err := s.GetErasure(ctx, kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}, r.ID); kernel.KindOf(err) != kernel.KindNotFound {
		t.Fatalf("stranger: %v", err)
	}

	// the first run stops at the clinical step; the second resumes after the done steps
	if err := s.ExecuteErasure(ctx, r.ID); err == nil {
		t.Fatal("the failing step did not fail the run")
	}
	got, _ := s.GetErasure(ctx, pat, r.ID)
	if got.Status != ErasureRunning || !slices.Contains(got.Done, StepAccess) || slices.Contains(got.Done, ClassClinical) {
		t.Fatalf("after the failure: %+v", got)
	}
	if err := s.ExecuteErasure(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetErasure(ctx, pat, r.ID)
	if got.Status != ErasureDone || len(got.Done) != len(got.Steps()) || got.Attempts != 2 {
		t.Fatalf("after the retry: %+v", got)
	}
	for _, step := range got.Steps() {
		if n := countOf(er.calls, step); n != 1 {
			t.Errorf("step %s ran %d times", step, n)
		}
	}
	// delivered again: nothing more happens
	before := len(er.calls)
	if err := s.ExecuteErasure(ctx, r.ID); err != nil || len(er.calls) != before {
		t.Fatalf("redelivery: %v, %d calls", err, len(er.calls)-before)
	}
	if countOf(trail.actions, "erasure.request") != 1 || countOf(trail.actions, "erasure.execute") != 1 {
		t.Errorf("audit: %v", trail.actions)
	}

	// the purge asks for clinical records, messages past retention and the erased subject's orders
	res, err := s.purge(ctx)
	if err != nil || er.purged != 1 || countOf(er.calls, "anonymise-orders") != 1 || countOf(er.calls, "purge-messages") != 1 || res.Messages != 3 {
		t.Fatalf("purge: %v %d %v %+v", err, er.purged, er.calls, res)
	}
}

func countOf(xs []string, x string) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

func TestNextPurge(t *testing.T) {
	sp := brt()
	cases := []struct{ now, want time.Time }{
		{time.Date(2026, 11, 30, 1, 0, 0, 0, sp), time.Date(2026, 11, 30, 3, 0, 0, 0, sp)},
		{time.Date(2026, 11, 30, 3, 0, 0, 0, sp), time.Date(2026, 12, 1, 3, 0, 0, 0, sp)},
		{time.Date(2026, 12, 31, 22, 0, 0, 0, sp), time.Date(2027, 1, 1, 3, 0, 0, 0, sp)},
	}
	for _, c := range cases {
		if got := NextPurge(c.now); !got.Equal(c.want) {
			t.Errorf("NextPurge(%v) = %v, want %v", c.now, got, c.want)
		}
	}
}
