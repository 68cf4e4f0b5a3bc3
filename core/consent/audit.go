package consent

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// GenesisHash is the "previous hash" of the first entry of the trail.
var GenesisHash = strings.Repeat("0", 64)

// AuditEntry is one link of the audit trail's hash chain: the record, its
// place in the chain (Seq, from 1, without gaps), the hash of the entry before
// it and its own hash (AuditHash).
type AuditEntry struct {
	Seq      int64
	Record   ports.AuditRecord // Record.At is the entry's time (UTC, microseconds)
	PrevHash string            // hex SHA-256; GenesisHash for entry 1
	Hash     string            // hex SHA-256 of PrevHash and the entry's content
}

// auditEncodingVersion names the canonical encoding; a new encoding gets a new name.
const auditEncodingVersion = "multisaude-audit-v1"

// AuditHash is the chain function: the hex SHA-256 of the previous entry's hash
// (as 32 bytes) followed by the canonical encoding of e's content (its Seq and
// every field of its record; e.PrevHash and e.Hash are not read). The
// encoding is unambiguous: every field is length-prefixed, the details are
// sorted by key and counted, and the time is UTC RFC 3339 with microseconds.
// A prevHash that is not 64 hex digits is hashed as its text, so it never
// matches the hash of a well-formed chain.
func AuditHash(prevHash string, e AuditEntry) string {
	h := sha256.New()
	if b, err := hex.DecodeString(prevHash); err == nil && len(b) == sha256.Size {
		h.Write(b)
	} else {
		writeField(h, "bad-prev:"+prevHash)
	}
	h.Write(auditContent(e))
	return hex.EncodeToString(h.Sum(nil))
}

// AuditTime is the time as the chain keeps it: UTC, truncated to microseconds
// (what both databases store exactly).
func AuditTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func auditContent(e AuditEntry) []byte {
	var b bytes.Buffer
	r := e.Record
	writeField(&b, auditEncodingVersion)
	writeField(&b, strconv.FormatInt(e.Seq, 10))
	writeField(&b, AuditTime(r.At).Format("2006-01-02T15:04:05.000000Z"))
	for _, f := range []string{r.ActorID, r.ActorKind, r.Action, r.ObjectType, r.ObjectID, r.SubjectID, r.RequestID} {
		writeField(&b, f)
	}
	keys := make([]string, 0, len(r.Details))
	for k := range r.Details {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	writeField(&b, strconv.Itoa(len(keys)))
	for _, k := range keys {
		writeField(&b, k)
		writeField(&b, r.Details[k])
	}
	return b.Bytes()
}

// writeField writes the length of s as 8 bytes big-endian, then s.
func writeField(w io.Writer, s string) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s)))
	_, _ = w.Write(n[:])
	_, _ = io.WriteString(w, s)
}

// AuditHead is the end of the chain: its last entry and how many entries it holds.
type AuditHead struct {
	LastSeq  int64  // 0 for an empty trail
	LastHash string // GenesisHash for an empty trail
	Count    int64
}

// AuditStore reads the audit trail (appending is ports.AuditTrail's).
type AuditStore interface {
	// AuditEntries returns at most limit (1..1000) entries with Seq > after, in Seq order.
	AuditEntries(ctx context.Context, after int64, limit int) ([]AuditEntry, error)
	// AuditHead returns the last entry (by Seq) and the number of entries.
	AuditHead(ctx context.Context) (AuditHead, error)
}

// AuditDigest is the daily record of the chain's end, kept outside the
// database (in the blob store) so that a consistent rewrite of the whole
// table is still detected.
type AuditDigest struct {
	Date     string    `json:"date"` // YYYY-MM-DD (UTC), the object's name
	LastSeq  int64     `json:"last_seq"`
	LastHash string    `json:"last_hash"`
	Count    int64     `json:"count"`
	At       time.Time `json:"at"`
}

// AuditDigestPrefix is where the digests are kept in the blob store.
const AuditDigestPrefix = "audit/digests/"

// AuditDigestKey is the blob key of the digest of a day.
func AuditDigestKey(date string) string { return AuditDigestPrefix + date + ".json" }

// Kinds of audit findings.
const (
	AuditChanged   = "changed"   // an entry's content no longer matches its hash
	AuditDeleted   = "deleted"   // an entry is missing (a gap in Seq, or the chain ends before a digest)
	AuditInserted  = "inserted"  // an entry that was not appended by the trail sits in the chain
	AuditBroken    = "broken"    // an entry does not follow the one before it (changed or deleted in between)
	AuditRewritten = "rewritten" // the chain disagrees with a digest written earlier
)

// AuditFinding names the first bad entry.
type AuditFinding struct {
	Seq    int64
	Kind   string
	Detail string // English, for the operator
}

func (f AuditFinding) String() string {
	return fmt.Sprintf("entry %d %s: %s", f.Seq, f.Kind, f.Detail)
}

// AuditReport is the outcome of VerifyAudit.
type AuditReport struct {
	Checked  int64  // entries read
	LastSeq  int64  // the last entry read
	LastHash string // its hash
	Digests  int    // digests checked
	First    *AuditFinding
}

// OK reports whether the chain and the digests are intact.
func (r AuditReport) OK() bool { return r.First == nil }

// auditPage is how many entries VerifyAudit reads at a time.
const auditPage = 1000

// maxAuditDigests caps how many digests VerifyAudit reads (about 27 years of days).
const maxAuditDigests = 10000

// VerifyAudit walks the whole chain in pages and checks every stored digest
// against it. The report names the first bad entry; an error means the check
// could not be made (database or blob store unreachable, unreadable digest).
func (s *Service) VerifyAudit(ctx context.Context) (AuditReport, error) {
	rep := AuditReport{LastHash: GenesisHash}
	digests, err := s.auditDigests(ctx)
	if err != nil {
		return rep, err
	}
	rep.Digests = len(digests)
	bySeq := map[int64][]AuditDigest{}
	for _, d := range digests {
		bySeq[d.LastSeq] = append(bySeq[d.LastSeq], d)
	}
	var v auditVerifier
	v.reset()
	for after := int64(0); ; {
		page, err := s.Audit.AuditEntries(ctx, after, auditPage)
		if err != nil {
			return rep, kernel.Wrap(err, "read the audit trail")
		}
		for _, e := range page {
			if f := v.next(e); f != nil {
				rep.First = f
				rep.Checked, rep.LastSeq, rep.LastHash = v.count, v.lastSeq, v.lastHash
				return rep, nil
			}
			for _, d := range bySeq[e.Seq] {
				if f := checkDigest(d, e, v.count); f != nil {
					rep.First = f
					rep.Checked, rep.LastSeq, rep.LastHash = v.count, v.lastSeq, v.lastHash
					return rep, nil
				}
			}
		}
		if len(page) < auditPage {
			break
		}
		after = page[len(page)-1].Seq
	}
	rep.Checked, rep.LastSeq, rep.LastHash = v.count, v.lastSeq, v.lastHash
	for _, d := range digests {
		if d.LastSeq > v.lastSeq {
			rep.First = &AuditFinding{Seq: v.lastSeq + 1, Kind: AuditDeleted,
				Detail: fmt.Sprintf("the chain ends at entry %d but the digest of %s records entries up to %d", v.lastSeq, d.Date, d.LastSeq)}
			return rep, nil
		}
	}
	return rep, nil
}

func checkDigest(d AuditDigest, e AuditEntry, count int64) *AuditFinding {
	if d.LastHash != e.Hash {
		return &AuditFinding{Seq: e.Seq, Kind: AuditRewritten,
			Detail: fmt.Sprintf("its hash %s differs from the digest of %s (%s): the chain was rewritten up to here", e.Hash, d.Date, d.LastHash)}
	}
	if d.Count != count {
		return &AuditFinding{Seq: e.Seq, Kind: AuditRewritten,
			Detail: fmt.Sprintf("the chain holds %d entries up to here, the digest of %s %d", count, d.Date, d.Count)}
	}
	return nil
}

// auditVerifier checks entries one by one, in Seq order.
type auditVerifier struct {
	count        int64
	lastSeq      int64
	lastHash     string
	prevPrevHash string // the hash before lastHash, to recognise an inserted entry
}

func (v *auditVerifier) reset() {
	*v = auditVerifier{lastHash: GenesisHash}
}

// next checks e against the chain so far and, if it is sound, extends the chain.
func (v *auditVerifier) next(e AuditEntry) *AuditFinding {
	want := v.lastSeq + 1
	switch {
	case e.Seq > want:
		return &AuditFinding{Seq: want, Kind: AuditDeleted, Detail: fmt.Sprintf("missing: entry %d follows entry %d", e.Seq, v.lastSeq)}
	case e.Seq < want: // a store returns Seq in order, once: this is a store fault
		return &AuditFinding{Seq: e.Seq, Kind: AuditInserted, Detail: fmt.Sprintf("read out of order after entry %d", v.lastSeq)}
	}
	if e.PrevHash != v.lastHash {
		switch {
		case v.lastSeq > 0 && e.PrevHash == v.prevPrevHash:
			return &AuditFinding{Seq: v.lastSeq, Kind: AuditInserted,
				Detail: fmt.Sprintf("entry %d links to entry %d, skipping it", e.Seq, v.lastSeq-1)}
		case v.lastSeq == 0:
			return &AuditFinding{Seq: e.Seq, Kind: AuditBroken, Detail: "the first entry does not start from the genesis hash"}
		}
		// The entry before was changed (with its own hash recomputed), or
		// entries were deleted and the rest renumbered.
		return &AuditFinding{Seq: e.Seq, Kind: AuditBroken,
			Detail: fmt.Sprintf("its previous hash does not match entry %d: entry %d was changed or entries before it deleted", v.lastSeq, v.lastSeq)}
	}
	if got := AuditHash(e.PrevHash, e); got != e.Hash {
		return &AuditFinding{Seq: e.Seq, Kind: AuditChanged, Detail: "its content does not match its hash"}
	}
	v.count++
	v.lastSeq = e.Seq
	v.prevPrevHash, v.lastHash = v.lastHash, e.Hash
	return nil
}

// auditDigests reads every stored digest, oldest first.
func (s *Service) auditDigests(ctx context.Context) ([]AuditDigest, error) {
	if s.Blobs == nil {
		return nil, nil
	}
	var out []AuditDigest
	cursor := ""
	for {
		page, err := s.Blobs.List(ctx, AuditDigestPrefix, cursor, 1000)
		if err != nil {
			return nil, kernel.Wrap(err, "list the audit digests")
		}
		for _, it := range page.Items {
			if len(out) >= maxAuditDigests {
				return nil, kernel.Internal(nil, "more than %d audit digests", maxAuditDigests)
			}
			d, err := s.readAuditDigest(ctx, it.Key)
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
		if page.NextCursor == "" {
			return out, nil
		}
		cursor = page.NextCursor
	}
}

func (s *Service) readAuditDigest(ctx context.Context, key string) (AuditDigest, error) {
	rc, _, err := s.Blobs.Get(ctx, key)
	if err != nil {
		return AuditDigest{}, kernel.Wrap(err, "read the audit digest %s", key)
	}
	defer rc.Close()
	var d AuditDigest
	if err := json.NewDecoder(io.LimitReader(rc, 64<<10)).Decode(&d); err != nil {
		return AuditDigest{}, kernel.Internal(err, "the audit digest %s is not valid JSON", key)
	}
	if d.Date == "" {
		d.Date = strings.TrimSuffix(strings.TrimPrefix(key, AuditDigestPrefix), ".json")
	}
	return d, nil
}

// WriteAuditDigest writes the digest of the chain as it is now to the blob
// store (replacing the day's digest if it was written already) and logs it.
func (s *Service) WriteAuditDigest(ctx context.Context) (AuditDigest, error) {
	head, err := s.Audit.AuditHead(ctx)
	if err != nil {
		return AuditDigest{}, kernel.Wrap(err, "read the audit trail's head")
	}
	now := s.now()
	d := AuditDigest{Date: now.Format(time.DateOnly), LastSeq: head.LastSeq, LastHash: head.LastHash, Count: head.Count, At: now}
	body, err := json.Marshal(d)
	if err != nil {
		return AuditDigest{}, kernel.Internal(err, "encode the audit digest")
	}
	if _, err := s.Blobs.Put(ctx, AuditDigestKey(d.Date), bytes.NewReader(body),
		ports.PutOptions{ContentType: "application/json", Size: int64(len(body))}); err != nil {
		return AuditDigest{}, kernel.Wrap(err, "store the audit digest")
	}
	s.Log.Info("audit digest written", "date", d.Date, "last_seq", d.LastSeq, "last_hash", d.LastHash, "count", d.Count)
	return d, nil
}

// AuditDigestJobID names the one scheduled digest job (scheduling it again replaces it).
const AuditDigestJobID = "consent-audit-digest"

// AuditDigestHour is the hour (UTC) at which the daily digest is written:
// 03:00 UTC is midnight in America/Sao_Paulo, so a digest covers a Brazilian day.
const AuditDigestHour = 3

// NextAuditDigest is the first digest time strictly after now.
func NextAuditDigest(now time.Time) time.Time {
	now = now.UTC()
	t := time.Date(now.Year(), now.Month(), now.Day(), AuditDigestHour, 0, 0, 0, time.UTC)
	if !t.After(now) {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// ScheduleAuditDigest schedules the next daily digest (a start hook seeds it;
// each run schedules the next).
func (s *Service) ScheduleAuditDigest(ctx context.Context) error {
	if s.Scheduler == nil {
		s.Log.Warn("no scheduler: the daily audit digest will not be written")
		return nil
	}
	at := NextAuditDigest(s.now())
	return s.Scheduler.Schedule(ctx, ports.Job{ID: AuditDigestJobID, At: at,
		Msg: ports.Message{ID: kernel.NewID(), Topic: TopicAuditDigest, Key: AuditDigestJobID, Body: []byte(`{}`)}})
}

// HandleAuditDigest writes the digest and schedules the next run. The next run
// is scheduled even when the digest fails, so one bad day does not end them;
// the failure is returned so the queue retries this one.
func (s *Service) HandleAuditDigest(ctx context.Context, _ ports.Delivery) error {
	_, err := s.WriteAuditDigest(ctx)
	if serr := s.ScheduleAuditDigest(ctx); serr != nil {
		s.Log.Error("the next audit digest is not scheduled", "kind", string(kernel.KindOf(serr)), "err", serr)
		if err == nil {
			err = serr
		}
	}
	return err
}

func (s *Service) auditConsumers() []Consumer {
	return []Consumer{{Name: "consent-audit-digest", Topic: TopicAuditDigest, Handle: s.HandleAuditDigest}}
}
