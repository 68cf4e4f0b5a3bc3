package consent

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

func TestExportStateMachine(t *testing.T) {
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	all := []ExportStatus{ExportPending, ExportBuilding, ExportReady, ExportFailed, ExportExpired}
	allowed := map[[2]ExportStatus]bool{
		{ExportPending, ExportBuilding}: true, {ExportPending, ExportFailed}: true,
		{ExportBuilding, ExportBuilding}: true, {ExportBuilding, ExportReady}: true, {ExportBuilding, ExportFailed}: true,
		{ExportReady, ExportExpired}: true,
	}
	for _, from := range all {
		for _, to := range all {
			e := Export{Status: from, BlobKey: "k", Attempts: 1}
			err := e.Move(to, at)
			if want := allowed[[2]ExportStatus{from, to}]; (err == nil) != want {
				t.Errorf("%s → %s: err %v, allowed %v", from, to, err, want)
				continue
			}
			if err != nil {
				if kernel.KindOf(err) != kernel.KindConflict || e.Status != from {
					t.Errorf("%s → %s: refused with %v, status now %s", from, to, err, e.Status)
				}
				continue
			}
			switch to {
			case ExportBuilding:
				if e.Attempts != 2 {
					t.Errorf("building counts attempts: %d", e.Attempts)
				}
			case ExportReady:
				if e.Progress != 100 {
					t.Errorf("ready at %d%%", e.Progress)
				}
			case ExportExpired:
				if e.BlobKey != "" {
					t.Error("an expired export keeps its blob key")
				}
			}
		}
	}
	if !ExportPending.Unfinished() || !ExportBuilding.Unfinished() || ExportReady.Unfinished() || ExportFailed.Unfinished() {
		t.Error("Unfinished")
	}
}

func TestExportDownloadable(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		e    Export
		want kernel.Kind
	}{
		{Export{Status: ExportReady, ExpiresAt: now.Add(time.Second)}, ""},
		{Export{Status: ExportReady, ExpiresAt: now}, kernel.KindGone},
		{Export{Status: ExportReady, ExpiresAt: now.Add(-time.Hour)}, kernel.KindGone},
		{Export{Status: ExportExpired}, kernel.KindGone},
		{Export{Status: ExportPending}, kernel.KindConflict},
		{Export{Status: ExportBuilding, Progress: 40}, kernel.KindConflict},
		{Export{Status: ExportFailed, Reason: "x"}, kernel.KindConflict},
	}
	for _, c := range cases {
		err := c.e.Downloadable(now)
		if got := kernel.Kind(""); err != nil {
			got = kernel.KindOf(err)
			if got != c.want {
				t.Errorf("%+v: %v, want %s", c.e, err, c.want)
			}
		} else if c.want != "" {
			t.Errorf("%+v: downloadable, want %s", c.e, c.want)
		}
	}
}

func TestBuildManifestAndDocumentPath(t *testing.T) {
	at := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	e := Export{ID: "e1", OwnerID: "o1", OwnerKind: kernel.KindPatient}
	files := []ManifestFile{{Path: "identity.json", Size: 3, SHA256: "abc"}}
	m := BuildManifest(e, files, true, at)
	files[0].Path = "changed"
	if m.ExportID != "e1" || m.OwnerID != "o1" || m.OwnerKind != "patient" || m.Format != ManifestFormat || !m.DocumentsOmitted {
		t.Fatalf("manifest %+v", m)
	}
	if m.GeneratedAt != "2026-12-01T12:00:00-03:00" {
		t.Errorf("generated_at %s, want São Paulo time", m.GeneratedAt)
	}
	if m.Files[0].Path != "identity.json" {
		t.Error("the manifest shares the caller's slice")
	}
	for in, want := range map[string]string{"exame.pdf": "documents/d_exame.pdf", "../../etc/passwd": "documents/d__.._etc_passwd",
		"": "documents/d_documento", "a\\b\n.pdf": "documents/d_a_b_.pdf", "...": "documents/d_documento"} {
		if got := documentPath(ExportDocument{ID: "d", FileName: in}); got != want {
			t.Errorf("documentPath(%q) = %q, want %q", in, got, want)
		}
	}
	if got := documentPath(ExportDocument{ID: "m", FileName: "../foto.png", Folder: FolderAttachments}); got != "attachments/m__foto.png" {
		t.Errorf("an attachment's path: %q", got)
	}
}

// --- fakes (standard library only) ---

type fakeKeys struct{ master [32]byte }

func (k *fakeKeys) ctxKey(ec map[string]string) string {
	keys := make([]string, 0, len(ec))
	for k := range ec {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, x := range keys {
		b.WriteString(x + "=" + ec[x] + ";")
	}
	return b.String()
}

// GenerateDataKey "wraps" by XOR with a hash of the master and the context (enough for a test).
func (k *fakeKeys) GenerateDataKey(_ context.Context, ec map[string]string) (ports.DataKey, error) {
	p := make([]byte, 32)
	_, _ = rand.Read(p)
	pad := sha256.Sum256(append(k.master[:], k.ctxKey(ec)...))
	w := make([]byte, 32)
	for i := range p {
		w[i] = p[i] ^ pad[i]
	}
	sum := sha256.Sum256(p)
	return ports.DataKey{Plaintext: p, Wrapped: append(w, sum[:4]...), KeyID: "test"}, nil
}

func (k *fakeKeys) Decrypt(_ context.Context, wrapped []byte, ec map[string]string) ([]byte, error) {
	if len(wrapped) != 36 {
		return nil, kernel.Forbidden("bad key")
	}
	pad := sha256.Sum256(append(k.master[:], k.ctxKey(ec)...))
	p := make([]byte, 32)
	for i := range p {
		p[i] = wrapped[i] ^ pad[i]
	}
	if sum := sha256.Sum256(p); !bytes.Equal(sum[:4], wrapped[32:]) {
		return nil, kernel.Forbidden("wrong context")
	}
	return p, nil
}

type fakeBlobs struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (b *fakeBlobs) Put(_ context.Context, key string, r io.Reader, _ ports.PutOptions) (ports.BlobInfo, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return ports.BlobInfo{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m[key] = data
	return ports.BlobInfo{Key: key, Size: int64(len(data))}, nil
}

func (b *fakeBlobs) Get(_ context.Context, key string) (io.ReadCloser, ports.BlobInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	d, ok := b.m[key]
	if !ok {
		return nil, ports.BlobInfo{}, kernel.NotFound("no blob")
	}
	return io.NopCloser(bytes.NewReader(d)), ports.BlobInfo{Key: key, Size: int64(len(d))}, nil
}

func (b *fakeBlobs) Stat(context.Context, string) (ports.BlobInfo, error) {
	return ports.BlobInfo{}, nil
}

func (b *fakeBlobs) Delete(_ context.Context, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.m[key]; !ok {
		return kernel.NotFound("no blob")
	}
	delete(b.m, key)
	return nil
}

func (b *fakeBlobs) List(context.Context, string, string, int) (ports.BlobPage, error) {
	return ports.BlobPage{}, nil
}

func (b *fakeBlobs) SignedURL(context.Context, string, time.Duration) (string, error) { return "", nil }

func (b *fakeBlobs) Ping(context.Context) error { return nil }

type fakeExports struct {
	mu     sync.Mutex
	m      map[kernel.ID]Export
	events []kernel.Event
}

func (s *fakeExports) CreateExport(_ context.Context, e Export, since time.Time, events ...kernel.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, x := range s.m {
		if x.OwnerID != e.OwnerID {
			continue
		}
		if x.Status.Unfinished() {
			return kernel.Conflict("unfinished")
		}
		if !x.CreatedAt.Before(since) {
			n++
		}
	}
	if n >= MaxExportsPerDay {
		return kernel.TooMany("cap")
	}
	s.m[e.ID] = e
	s.events = append(s.events, events...)
	return nil
}

func (s *fakeExports) GetExport(_ context.Context, id kernel.ID) (Export, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[id]
	if !ok {
		return Export{}, kernel.NotFound("no export")
	}
	return e, nil
}

func (s *fakeExports) UpdateExport(_ context.Context, id kernel.ID, fn func(*Export) error) (Export, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[id]
	if !ok {
		return Export{}, kernel.NotFound("no export")
	}
	if err := fn(&e); err != nil {
		return Export{}, err
	}
	s.m[id] = e
	return e, nil
}

func (s *fakeExports) ListExports(_ context.Context, owner kernel.ID, _ kernel.Page) (kernel.List[Export], error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out kernel.List[Export]
	for _, e := range s.m {
		if e.OwnerID == owner {
			out.Items = append(out.Items, e)
		}
	}
	return out, nil
}

type fakeSource struct {
	fail error
	docs map[kernel.ID][]byte
}

func (f *fakeSource) WriteSection(_ context.Context, p kernel.Principal, section string, w io.Writer) error {
	if f.fail != nil {
		return f.fail
	}
	return json.NewEncoder(w).Encode(map[string]string{"section": section, "owner_id": p.AccountID})
}

func (f *fakeSource) Documents(_ context.Context, _ kernel.Principal, limit int) ([]ExportDocument, bool, error) {
	var out []ExportDocument
	for _, id := range sortedIDs(f.docs) {
		out = append(out, ExportDocument{ID: id, FileName: "doc.pdf", Size: int64(len(f.docs[id]))})
	}
	return out, false, nil
}

func (f *fakeSource) OpenDocument(_ context.Context, _ kernel.Principal, d ExportDocument) (io.ReadCloser, error) {
	id := d.ID
	return io.NopCloser(bytes.NewReader(f.docs[id])), nil
}

func sortedIDs(m map[kernel.ID][]byte) []kernel.ID {
	ids := make([]kernel.ID, 0, len(m))
	for id := range maps.Keys(m) {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

type fakeScheduler struct {
	mu   sync.Mutex
	jobs map[string]ports.Job
}

func (s *fakeScheduler) Schedule(_ context.Context, j ports.Job) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs[j.ID] = j
	return nil
}

func (s *fakeScheduler) Cancel(_ context.Context, id string) error { return nil }

type fakeTrail struct {
	mu      sync.Mutex
	actions []string
}

func (t *fakeTrail) Append(_ context.Context, rs ...ports.AuditRecord) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, r := range rs {
		t.actions = append(t.actions, r.Action+":"+r.ObjectID)
	}
	return nil
}

type rig struct {
	svc   *Service
	store *fakeExports
	blobs *fakeBlobs
	src   *fakeSource
	sched *fakeScheduler
	trail *fakeTrail
	clock *kernel.FixedClock
}

func newRig() *rig {
	r := &rig{store: &fakeExports{m: map[kernel.ID]Export{}}, blobs: &fakeBlobs{m: map[string][]byte{}},
		src: &fakeSource{docs: map[kernel.ID][]byte{}}, sched: &fakeScheduler{jobs: map[string]ports.Job{}}, trail: &fakeTrail{},
		clock: kernel.NewFixedClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))}
	r.svc = NewService(Deps{Exports: r.store, Source: r.src, Blobs: r.blobs, Keys: &fakeKeys{}, Scheduler: r.sched, Trail: r.trail, Clock: r.clock},
		Config{ExportAttempts: 3})
	return r
}

func (r *rig) deliver(t *testing.T, id kernel.ID, attempt int) error {
	t.Helper()
	body, _ := json.Marshal(exportMsg{ExportID: id})
	return r.svc.HandleExportRequested(context.Background(), ports.Delivery{Message: ports.Message{ID: kernel.NewID(), Topic: TopicExportRequested, Body: body}, Attempt: attempt})
}

func TestExportBuildSealsAndOpens(t *testing.T) {
	r := newRig()
	ctx := context.Background()
	p := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}
	big := make([]byte, 3*sealChunk+17) // several chunks, incompressible
	_, _ = rand.Read(big)
	docID := kernel.NewID()
	r.src.docs[docID] = big

	if _, err := r.svc.RequestExport(ctx, kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindAdmin}, ""); kernel.KindOf(err) != kernel.KindForbidden {
		t.Fatalf("admin export: %v", err)
	}
	e, err := r.svc.RequestExport(ctx, p, "req-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.store.events) != 1 || r.store.events[0].Topic != TopicExportRequested {
		t.Fatalf("events %+v", r.store.events)
	}
	if _, err := r.svc.RequestExport(ctx, p, ""); kernel.KindOf(err) != kernel.KindConflict {
		t.Fatalf("second unfinished export: %v", err)
	}
	if err := r.deliver(t, e.ID, 1); err != nil {
		t.Fatal(err)
	}
	got, _ := r.store.GetExport(ctx, e.ID)
	if got.Status != ExportReady || got.Progress != 100 || !got.ExpiresAt.Equal(r.clock.Now().Add(ExportTTL)) || got.Files != 10 { // seven sections (fhir_bundle.json among them), consent.json, a document, the manifest
		t.Fatalf("after build: %+v", got)
	}
	if _, ok := r.sched.jobs["export-expire:"+e.ID]; !ok {
		t.Fatal("no expiry job")
	}
	stored := r.blobs.m[got.BlobKey]
	if int64(len(stored)) != got.Stored || bytes.HasPrefix(stored, []byte("PK")) || bytes.Contains(stored, big[:64]) {
		t.Fatal("the stored object is not sealed")
	}
	if err := r.deliver(t, e.ID, 2); err != nil || len(r.blobs.m) != 1 { // a duplicate delivery changes nothing
		t.Fatalf("duplicate delivery: %v, %d objects", err, len(r.blobs.m))
	}

	// another person: 404; the owner downloads and the manifest matches every file
	if _, _, err := r.svc.OpenExport(ctx, kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}, e.ID, ""); kernel.KindOf(err) != kernel.KindNotFound {
		t.Fatalf("stranger: %v", err)
	}
	_, rc, err := r.svc.OpenExport(ctx, p, e.ID, "req-2")
	if err != nil {
		t.Fatal(err)
	}
	zipBytes, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(zipBytes)) != got.Size || hex.EncodeToString(sha(zipBytes)) != got.SHA256 {
		t.Fatal("the archive does not match the job's size and checksum")
	}
	files := unzip(t, zipBytes)
	var m Manifest
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil || m.ExportID != e.ID || m.OwnerID != p.AccountID {
		t.Fatalf("manifest %v %+v", err, m)
	}
	if len(m.Files) != len(files)-1 {
		t.Fatalf("manifest lists %d of %d files", len(m.Files), len(files)-1)
	}
	for _, f := range m.Files {
		if b, ok := files[f.Path]; !ok || int64(len(b)) != f.Size || hex.EncodeToString(sha(b)) != f.SHA256 {
			t.Errorf("%s does not match the manifest", f.Path)
		}
	}
	if !bytes.Equal(files["documents/"+docID+"_doc.pdf"], big) {
		t.Error("the document changed")
	}
	for _, sec := range ExportSections() {
		if _, ok := files[sec+".json"]; !ok {
			t.Errorf("%s.json missing", sec)
		}
	}
	if _, ok := files["fhir_bundle.json"]; !ok {
		t.Error("fhir_bundle.json missing")
	}
	var cons map[string]any
	if err := json.Unmarshal(files["consent.json"], &cons); err != nil || cons["consents"] == nil || cons["disclosures"] == nil {
		t.Errorf("consent.json %s", files["consent.json"])
	}
	if strings.Join(r.trail.actions, ",") != "export.create:"+e.ID+",export.download:"+e.ID {
		t.Errorf("audit %v", r.trail.actions)
	}

	// expiry: early is a no-op (rescheduled); after the TTL the object goes and the download is 410
	if err := r.svc.ExpireExport(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	if x, _ := r.store.GetExport(ctx, e.ID); x.Status != ExportReady {
		t.Fatal("expired early")
	}
	r.clock.Advance(ExportTTL)
	if _, _, err := r.svc.OpenExport(ctx, p, e.ID, ""); kernel.KindOf(err) != kernel.KindGone {
		t.Fatalf("download at the TTL: %v", err)
	}
	if err := r.svc.ExpireExport(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	if x, _ := r.store.GetExport(ctx, e.ID); x.Status != ExportExpired || len(r.blobs.m) != 0 {
		t.Fatalf("after expiry: %+v, %d objects", x, len(r.blobs.m))
	}
	if _, _, err := r.svc.OpenExport(ctx, p, e.ID, ""); kernel.KindOf(err) != kernel.KindGone {
		t.Fatalf("download after expiry: %v", err)
	}
}

func TestExportRetriedThenFailed(t *testing.T) {
	r := newRig()
	ctx := context.Background()
	p := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindProfessional}
	r.src.fail = kernel.Unavailable(errors.New("down"), "clinical unavailable")
	e, err := r.svc.RequestExport(ctx, p, "")
	if err != nil {
		t.Fatal(err)
	}
	for attempt := 1; attempt < 3; attempt++ {
		if err := r.deliver(t, e.ID, attempt); err == nil {
			t.Fatalf("attempt %d: a failed build is acknowledged", attempt)
		}
		if x, _ := r.store.GetExport(ctx, e.ID); x.Status != ExportBuilding || x.Attempts != attempt {
			t.Fatalf("attempt %d: %+v", attempt, x)
		}
	}
	if err := r.deliver(t, e.ID, 3); err != nil {
		t.Fatalf("the last attempt must be acknowledged: %v", err)
	}
	x, _ := r.store.GetExport(ctx, e.ID)
	if x.Status != ExportFailed || !strings.Contains(x.Reason, "indisponível") {
		t.Fatalf("after the last attempt: %+v", x)
	}
	if len(r.blobs.m) != 0 {
		t.Fatalf("partial objects left: %d", len(r.blobs.m))
	}
	if _, _, err := r.svc.OpenExport(ctx, p, e.ID, ""); kernel.KindOf(err) != kernel.KindConflict {
		t.Fatalf("download of a failed export: %v", err)
	}
	// a failed export is finished: a new one may be asked for, up to the daily cap
	for i := 0; i < MaxExportsPerDay-1; i++ {
		n, err := r.svc.RequestExport(ctx, p, "")
		if err != nil {
			t.Fatalf("export %d: %v", i+2, err)
		}
		_, _ = r.store.UpdateExport(ctx, n.ID, func(x *Export) error { return x.Move(ExportFailed, r.clock.Now()) })
	}
	if _, err := r.svc.RequestExport(ctx, p, ""); kernel.KindOf(err) != kernel.KindTooMany {
		t.Fatalf("past the daily cap: %v", err)
	}
	r.clock.Advance(24*time.Hour + time.Second)
	if _, err := r.svc.RequestExport(ctx, p, ""); err != nil {
		t.Fatalf("the next day: %v", err)
	}
}

func TestSealTamperAndContext(t *testing.T) {
	ctx := context.Background()
	km := &fakeKeys{}
	ec := map[string]string{"export_id": "e", "owner_id": "o"}
	for _, n := range []int{0, 1, sealChunk - 1, sealChunk, sealChunk + 1, 2 * sealChunk} {
		plain := make([]byte, n)
		_, _ = rand.Read(plain)
		var out bytes.Buffer
		w, err := newSealWriter(ctx, km, &out, ec)
		if err != nil {
			t.Fatal(err)
		}
		// write in odd pieces
		for rest := plain; len(rest) > 0; {
			k := min(len(rest), 777)
			if _, err := w.Write(rest[:k]); err != nil {
				t.Fatal(err)
			}
			rest = rest[k:]
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		sealed := out.Bytes()
		open := func(b []byte, ec map[string]string) ([]byte, error) {
			o, err := openSealed(ctx, km, bytes.NewReader(b), ec, "e")
			if err != nil {
				return nil, err
			}
			return io.ReadAll(o)
		}
		got, err := open(sealed, ec)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("%d bytes: round trip %v", n, err)
		}
		integrity := func(what string, b []byte, ec map[string]string) {
			if _, err := open(b, ec); !errors.Is(err, kernel.ErrIntegrity) {
				t.Errorf("%d bytes, %s: %v, want an integrity failure", n, what, err)
			}
		}
		integrity("other context", sealed, map[string]string{"export_id": "x", "owner_id": "o"})
		flipped := bytes.Clone(sealed)
		flipped[len(flipped)-1] ^= 1
		integrity("a flipped byte", flipped, ec)
		integrity("truncated", sealed[:len(sealed)-1], ec)
		integrity("extended", append(bytes.Clone(sealed), 0), ec)
		if n > sealChunk {
			integrity("the final chunk dropped", sealed[:len(sealed)-(n%sealChunk)-sealTag], ec)
		}
	}
}

func TestFailureReasonIsPortuguese(t *testing.T) {
	for _, err := range []error{kernel.Unavailable(nil, "x"), kernel.IntegrityFailure(nil, "x"), fmt.Errorf("boom")} {
		if r := FailureReason(err); !strings.Contains(r, "exportação") {
			t.Errorf("%v: %q", err, r)
		}
	}
}

func sha(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = data
	}
	return out
}
