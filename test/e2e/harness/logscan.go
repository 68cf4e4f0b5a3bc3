package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/multisaude/multisaude/core/identity"
)

// The server's logs must never carry personal data (issue 12): no e-mail, CPF,
// CNPJ, phone, name or clinical text, IDs only. Every app the harness starts
// logs at info level (what production runs) into a LogScanner, which checks
// each line as it is written and fails the test at its end naming each line
// that leaked and what matched (the value masked). It looks for
//   - shapes: e-mail addresses; CPF and CNPJ, formatted or as a bare run of
//     characters that passes the check digits; Brazilian phone numbers written
//     with +55 or with the area code in parentheses;
//   - values: every string the test itself sent under a key that holds personal
//     or clinical data (SensitiveKeys), in a JSON body, a form, a query string
//     or a multipart upload (file names too), seen by the client's transport.

// SensitiveKeys are the request keys (JSON members, form and query fields,
// multipart parts) whose string values are personal or clinical data: the scanner
// fails a test whose server logs one of them. A key holding an object or a list
// makes every string below it sensitive, except under the keys in notSensitive.
// Add a key here when a route accepts a new kind of personal or clinical text.
var SensitiveKeys = []string{
	// who a person is
	"name", "full_name", "social_name", "patient_name", "buyer_name", "actor_name", "display_name",
	"legal_name", "trade_name", "company_name", "responsible_name", "guardian_name", "mother_name",
	"contact_name", "professional_name", "username", "login",
	"email", "new_email", "contact_email", "recipient",
	"cpf", "cnpj", "document", "buyer_document", "rg", "cns", "sus", "council_number", "crm",
	"phone", "mobile", "whatsapp", "contact_phone",
	"birth_date", "date_of_birth", "gender", "sex",
	"address", "patient_address", "street", "complement", "district", "neighbourhood", "cep",
	"postal_code", "zip",
	"bio", "photo", "signature",
	// secrets are not personal data, but a log must never hold them either
	"password", "new_password", "current_password", "client_secret", "card_token",
	// what is wrong with a person, and what was done about it
	"reason", "cancel_reason", "rejection_reason", "amend_reason", "justification", "motive",
	"notes", "note", "comment", "comments", "observations", "observation", "remarks",
	"complaint", "chief_complaint", "history_of_present_illness", "past_history", "family_history",
	"habits", "allergies", "medications_in_use", "physical_examination", "assessment",
	"diagnosis", "diagnoses", "hypothesis", "conclusion", "findings", "result", "results",
	"symptoms", "conduct", "treatment", "goals", "instructions", "evolution", "prognosis",
	"description", "summary", "title", "text", "content", "message", "body", "subject",
	"drug", "dosage", "medication", "medications", "exam", "exams", "icd10", "cid",
	"q", "query", "search", "filename", "file_name",
	"details", "what", "affected", "risk", "risk_assessment", "measures",
}

// notSensitive are keys below a sensitive object (an address) whose values are
// not personal on their own and are too common to search logs for (a street
// number "1000" would match a byte count, "SP" a word).
var notSensitive = map[string]bool{"number": true, "city": true, "uf": true, "state": true, "country": true,
	"lat": true, "lng": true, "kind": true, "type": true, "id": true, "code": true, "status": true}

var sensitiveKey = func() map[string]bool {
	m := make(map[string]bool, len(SensitiveKeys))
	for _, k := range SensitiveKeys {
		m[k] = true
	}
	return m
}()

const (
	logTailLines   = 150      // server log lines printed when a test fails
	maxLeaksKept   = 20       // leaking lines reported in full; the rest are counted
	maxCaptureBody = 32 << 10 // bigger request bodies (the bounds tests') are not searched for values: parsing them would count in those tests' allocation budgets
	maxWatchedLen  = 64       // a longer value is watched by its first 64 bytes: a log line quoting it shows them
	maxWatched     = 20000    // values watched per app, so the matcher stays small
	maxLineShown   = 600
)

// The shapes are found in one pass over the line's bytes (findShapes): each
// run of letters and digits of the length of a CPF (11) or a CNPJ (14) is
// checked against the check digits, and only where a run could start a
// formatted document or a phone number does an anchored pattern look further.
// A run must stand between non-word characters, so a run inside a UUID, a hash
// or a migration name (20261130120000_commerce) is not one. The e-mail pattern
// runs only on lines with an @.
var (
	formattedDoc = regexp.MustCompile(`^(?:[0-9A-Za-z]{2}\.[0-9A-Za-z]{3}\.[0-9A-Za-z]{3}/[0-9A-Za-z]{4}-\d{2}|\d{3}\.\d{3}\.\d{3}-\d{2})`)
	phonePlus55  = regexp.MustCompile(`^\+55[ \-]?\(?\d{2}\)?[ \-]?9?\d{4}[ \-]?\d{4}`)
	phoneParen   = regexp.MustCompile(`^\(\d{2}\)[ \-]?9?\d{4}[ \-]?\d{4}`)
	emails       = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
)

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
func isWord(c byte) bool { return isAlnum(c) || c == '_' }

// endsWord reports whether a match ending before line[j] ends at a word boundary.
func endsWord(line []byte, j int) bool { return j >= len(line) || !isWord(line[j]) }

// findShapes appends the e-mails, documents and phone numbers of line.
func findShapes(line []byte, found []finding) []finding {
	if bytes.IndexByte(line, '@') >= 0 {
		for _, m := range emails.FindAllIndex(line, -1) {
			found = append(found, finding{m[0], m[1], "an e-mail address"})
		}
	}
	n := len(line)
	for i := 0; i < n; {
		c := line[i]
		if c == '+' || c == '(' {
			re := phoneParen
			if c == '+' {
				re = phonePlus55
			}
			if m := re.FindIndex(line[i:min(n, i+24)]); m != nil && endsWord(line, i+m[1]) {
				found = append(found, finding{i, i + m[1], "a phone number"})
				i += m[1]
				continue
			}
			i++
			continue
		}
		if !isAlnum(c) || (i > 0 && isWord(line[i-1])) {
			i++
			continue
		}
		j := i
		for j < n && isAlnum(line[j]) {
			j++
		}
		if (j-i == 2 || j-i == 3) && j < n && line[j] == '.' {
			if m := formattedDoc.FindIndex(line[i:min(n, i+20)]); m != nil && endsWord(line, i+m[1]) {
				if what := docKind(string(line[i : i+m[1]])); what != "" {
					found = append(found, finding{i, i + m[1], what})
					i += m[1]
					continue
				}
			}
		}
		if endsWord(line, j) {
			what := ""
			switch tok := line[i:j]; len(tok) {
			case 11, 14:
				what = docKind(string(tok))
			case 13:
				if string(tok[:2]) == "55" && tok[4] == '9' && allDigits(tok) {
					what = "a phone number" // 55 DD 9XXXX-XXXX: E.164 without its +
				}
			}
			if what != "" {
				found = append(found, finding{i, j, what})
			}
		}
		i = j
	}
	return found
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// docKind says whether v is a valid CPF or CNPJ (formatted or not).
func docKind(v string) string {
	if _, ok := identity.NormalizeCPF(v); ok {
		return "a CPF"
	}
	if _, ok := identity.NormalizeCNPJ(v); ok {
		return "a CNPJ"
	}
	return ""
}

// LogScanner is an io.Writer of log lines that looks for personal data in each.
type LogScanner struct {
	mu      sync.Mutex
	partial []byte
	lines   int
	tail    []string // ring of masked lines
	next    int
	leaks   []string
	leaked  int

	values  map[string]string // lower-cased value -> the key it was sent under
	matcher *acMatcher        // built from values, nil when stale
}

// NewLogScanner returns an empty scanner.
func NewLogScanner() *LogScanner { return &LogScanner{values: map[string]string{}} }

// Write scans every complete line of p.
func (s *LogScanner) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data := p
	if len(s.partial) > 0 {
		s.partial = append(s.partial, p...)
		data = s.partial
	}
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		s.scanLine(data[:i])
		data = data[i+1:]
	}
	s.partial = append(s.partial[:0], data...)
	return len(p), nil
}

type finding struct {
	start, end int
	what       string
}

// scanLine checks one line; the caller holds the lock.
func (s *LogScanner) scanLine(line []byte) {
	s.lines++
	found := findShapes(line, nil)
	if s.matcher == nil && len(s.values) > 0 {
		s.matcher = newACMatcher(s.values)
	}
	if s.matcher != nil {
		shapes := len(found)
	values:
		for _, f := range s.matcher.find(line) {
			for _, g := range found[:shapes] {
				if f.start >= g.start && f.end <= g.end {
					continue values // already reported by its shape
				}
			}
			found = append(found, finding{f.start, f.end, fmt.Sprintf("a value the test sent as %q", s.values[f.value])})
		}
	}
	shown := maskLine(line, found)
	if len(s.tail) < logTailLines {
		s.tail = append(s.tail, shown)
	} else {
		s.tail[s.next] = shown
		s.next = (s.next + 1) % logTailLines
	}
	if len(found) == 0 {
		return
	}
	s.leaked++
	if len(s.leaks) < maxLeaksKept {
		whats := make([]string, 0, len(found))
		for _, f := range found {
			whats = append(whats, fmt.Sprintf("%s %q", f.what, mask(string(line[f.start:f.end]))))
		}
		s.leaks = append(s.leaks, fmt.Sprintf("log line %d holds %s:\n\t%s", s.lines, strings.Join(whats, ", "), shown))
	}
}

// mask keeps the first character and the length of a value.
func mask(v string) string {
	r, size := utf8.DecodeRuneInString(v)
	if size == 0 {
		return ""
	}
	return fmt.Sprintf("%c…(%d chars)", r, utf8.RuneCountInString(v))
}

// maskLine returns the line with every finding masked, cut to maxLineShown.
func maskLine(line []byte, found []finding) string {
	if len(found) == 0 {
		return truncate(string(line))
	}
	hide := make([]bool, len(line))
	for _, f := range found {
		for i := f.start; i < f.end; i++ {
			hide[i] = true
		}
	}
	var b strings.Builder
	for i := 0; i < len(line); {
		if !hide[i] {
			b.WriteByte(line[i])
			i++
			continue
		}
		j := i
		for j < len(line) && hide[j] {
			j++
		}
		b.WriteString("«" + mask(string(line[i:j])) + "»")
		i = j
	}
	return truncate(b.String())
}

func truncate(s string) string {
	if len(s) <= maxLineShown {
		return s
	}
	return s[:maxLineShown] + "…"
}

// Watch adds values the scanner must not find in the logs, as if the test had
// sent them under key (for personal data that reaches the server another way).
func (s *LogScanner) Watch(key string, values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		s.addLocked(key, v)
	}
}

func (s *LogScanner) addLocked(key, v string) {
	v = strings.TrimSpace(v)
	if !worthWatching(key, v) || len(s.values) >= maxWatched {
		return
	}
	if len(v) > maxWatchedLen {
		cut := maxWatchedLen
		for cut > 0 && !utf8.RuneStart(v[cut]) {
			cut--
		}
		v = v[:cut]
	}
	lv := lowerASCII(v)
	if _, ok := s.values[lv]; !ok {
		s.values[lv] = key
		s.matcher = nil
	}
	// As a JSON log line writes it (quotes and backslashes escaped).
	if b, err := json.Marshal(v); err == nil {
		if esc := lowerASCII(string(b[1 : len(b)-1])); esc != lv {
			if _, ok := s.values[esc]; !ok {
				s.values[esc] = key
				s.matcher = nil
			}
		}
	}
	// A document or phone number is stored (and would be logged) as its digits.
	switch key {
	case "cpf", "cnpj", "document", "buyer_document", "phone", "mobile", "whatsapp", "contact_phone", "cep":
		d := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, v)
		if len(d) >= 8 && d != lv {
			if _, ok := s.values[d]; !ok {
				s.values[d] = key
				s.matcher = nil
			}
		}
	}
}

var (
	codeLike = regexp.MustCompile(`^[a-z0-9]+(?:_[a-z0-9]+)+$`)
	wordLike = regexp.MustCompile(`^[a-z]+$`)
	dateLike = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+(?:Z|[+\-]\d{2}:?\d{2})?)?$`)
	uuidLike = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// codeKeys are sensitive keys that often hold a code of the API (a reason
// "other", a result "normal", a search term "cardiology") rather than free text.
var codeKeys = map[string]bool{"reason": true, "cancel_reason": true, "rejection_reason": true, "amend_reason": true,
	"result": true, "results": true, "risk": true, "gender": true, "sex": true, "exam": true, "exams": true,
	"q": true, "query": true, "search": true, "what": true, "affected": true, "measures": true}

// worthWatching leaves out values that are not personal data on their own and
// that log lines carry anyway: fewer than 4 characters, a number of fewer than
// 8 digits (a street number, an amount), a UUID (an ID), a code of the API
// (lower-case words joined by _, "patient_request"), under codeKeys a single
// lower-case word ("other"), and a date anywhere but under birth_date. A name, an address or clinical text is none of these.
func worthWatching(key, v string) bool {
	if len(v) < 4 || uuidLike.MatchString(v) {
		return false
	}
	if strings.Trim(v, "0123456789") == "" && len(v) < 8 {
		return false
	}
	if codeLike.MatchString(v) || (codeKeys[key] && wordLike.MatchString(v)) {
		return false
	}
	// A date is personal as a birth date; elsewhere (a range, a slot) it is not,
	// and log lines are full of dates.
	if dateLike.MatchString(v) && key != "birth_date" && key != "date_of_birth" {
		return false
	}
	return true
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// noteRequest collects the sensitive values of a request: its query string and
// its body when that is JSON, a form or multipart (and not bigger than
// maxCaptureBody). It returns the body to send in place of the one it read.
func (s *LogScanner) noteRequest(r *http.Request) (io.ReadCloser, error) {
	s.noteValues(r.URL.Query())
	if r.Body == nil || r.Body == http.NoBody {
		return r.Body, nil
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	isJSON := mt == "application/json" || strings.HasSuffix(mt, "+json")
	isForm := mt == "application/x-www-form-urlencoded"
	isMultipart := mt == "multipart/form-data"
	if !isJSON && !isForm && !isMultipart {
		return r.Body, nil
	}
	buf, err := io.ReadAll(io.LimitReader(r.Body, maxCaptureBody+1))
	if err != nil {
		return nil, err
	}
	rest := readCloser{io.MultiReader(bytes.NewReader(buf), r.Body), r.Body}
	if len(buf) > maxCaptureBody {
		return rest, nil
	}
	switch {
	case isJSON:
		var v any
		d := json.NewDecoder(bytes.NewReader(buf))
		d.UseNumber()
		if d.Decode(&v) == nil {
			s.mu.Lock()
			s.walkJSON("", v, false)
			s.mu.Unlock()
		}
	case isForm:
		if q, err := url.ParseQuery(string(buf)); err == nil {
			s.noteValues(q)
		}
	case isMultipart:
		s.noteMultipart(buf, params["boundary"])
	}
	return rest, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

func (s *LogScanner) noteValues(q url.Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, vs := range q {
		if sensitiveKey[strings.ToLower(k)] {
			for _, v := range vs {
				s.addLocked(strings.ToLower(k), v)
			}
		}
	}
}

func (s *LogScanner) noteMultipart(body []byte, boundary string) {
	if boundary == "" {
		return
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		p, err := mr.NextPart()
		if err != nil {
			return
		}
		if fn := p.FileName(); fn != "" {
			s.addLocked("filename", fn)
		} else if k := strings.ToLower(p.FormName()); sensitiveKey[k] {
			b, _ := io.ReadAll(io.LimitReader(p, 64<<10))
			s.addLocked(k, string(b))
		}
		_ = p.Close()
	}
}

// walkJSON collects the strings under sensitive keys; the caller holds the lock.
func (s *LogScanner) walkJSON(key string, v any, under bool) {
	switch x := v.(type) {
	case string:
		if under {
			s.addLocked(key, x)
		}
	case map[string]any:
		for k, c := range x {
			lk := strings.ToLower(k)
			switch {
			case sensitiveKey[lk]:
				s.walkJSON(lk, c, true)
			case under && !notSensitive[lk]:
				s.walkJSON(key, c, true)
			default:
				s.walkJSON(lk, c, false)
			}
		}
	case []any:
		for _, c := range x {
			s.walkJSON(key, c, under)
		}
	}
}

// Lines is how many log lines the scanner has seen.
func (s *LogScanner) Lines() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lines
}

// Leaks returns the descriptions of the leaking lines kept and how many leaked.
func (s *LogScanner) Leaks() ([]string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.leaks...), s.leaked
}

// Tail returns the last lines logged, oldest first, personal data masked.
func (s *LogScanner) Tail() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append(append([]string(nil), s.tail[s.next:]...), s.tail[:s.next]...)
}

// Report fails t on every leak (flushing a last line without a newline) and,
// when t failed, prints the last lines of the log.
func (s *LogScanner) Report(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	if len(s.partial) > 0 {
		s.scanLine(s.partial)
		s.partial = nil
	}
	s.mu.Unlock()
	leaks, n := s.Leaks()
	t.Logf("logscan: %d server log lines scanned, %d with personal data", s.Lines(), n)
	for _, l := range leaks {
		t.Errorf("personal data in the server log (issue 12: log IDs, never names, documents, contacts or clinical text): %s", l)
	}
	if n > len(leaks) {
		t.Errorf("personal data in %d more server log lines", n-len(leaks))
	}
	if t.Failed() {
		tail := s.Tail()
		t.Logf("last %d server log lines (personal data masked):\n%s", len(tail), strings.Join(tail, "\n"))
	}
}

// scanningTransport shows every request to the scanner before sending it.
type scanningTransport struct {
	base http.RoundTripper
	scan *LogScanner
}

func (st scanningTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	body, err := st.scan.noteRequest(r)
	if err != nil {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, err
	}
	if body != r.Body {
		r2 := r.Clone(r.Context())
		r2.Body = body
		r2.GetBody = nil
		r = r2
	}
	return st.base.RoundTrip(r)
}

// acMatcher finds every watched value in a line in one pass (Aho-Corasick over
// ASCII-lower-cased bytes).
type acMatcher struct {
	root [256]int32 // the root's transitions as an array: most bytes of a line stop there
	next []map[byte]int32
	fail []int32
	out  [][]int32 // patterns ending at each state (after following fail links)
	pats []string
}

type acMatch struct {
	start, end int
	value      string
}

func newACMatcher(values map[string]string) *acMatcher {
	m := &acMatcher{next: []map[byte]int32{{}}, fail: []int32{0}, out: [][]int32{nil}}
	for v := range values {
		st := int32(0)
		for i := 0; i < len(v); i++ {
			n, ok := m.next[st][v[i]]
			if !ok {
				n = int32(len(m.next))
				m.next = append(m.next, map[byte]int32{})
				m.fail = append(m.fail, 0)
				m.out = append(m.out, nil)
				m.next[st][v[i]] = n
			}
			st = n
		}
		m.out[st] = append(m.out[st], int32(len(m.pats)))
		m.pats = append(m.pats, v)
	}
	for c, n := range m.next[0] {
		m.root[c] = n
	}
	queue := make([]int32, 0, len(m.next))
	for _, n := range m.next[0] {
		queue = append(queue, n)
	}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		for c, n := range m.next[st] {
			f := m.fail[st]
			for {
				if g, ok := m.next[f][c]; ok && g != n {
					m.fail[n] = g
					break
				}
				if f == 0 {
					break
				}
				f = m.fail[f]
			}
			m.out[n] = append(m.out[n], m.out[m.fail[n]]...)
			queue = append(queue, n)
		}
	}
	return m
}

func (m *acMatcher) find(line []byte) []acMatch {
	var found []acMatch
	st := int32(0)
	for i := 0; i < len(line); i++ {
		c := line[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if st == 0 {
			st = m.root[c]
			if st == 0 {
				continue
			}
			for _, p := range m.out[st] {
				v := m.pats[p]
				found = append(found, acMatch{i + 1 - len(v), i + 1, v})
			}
			continue
		}
		for {
			if n, ok := m.next[st][c]; ok {
				st = n
				break
			}
			if st == 0 {
				break
			}
			st = m.fail[st]
		}
		for _, p := range m.out[st] {
			v := m.pats[p]
			found = append(found, acMatch{i + 1 - len(v), i + 1, v})
		}
	}
	return found
}
