package lognotifier

import (
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/multisaude/multisaude/ports"
)

// ReadMailDrop parses every .eml file in dir, oldest first, back into
// notifications (for tests and for tools that show the local mail).
func ReadMailDrop(dir string) ([]ports.Notification, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".eml") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names) // names start with the time
	out := make([]ports.Notification, 0, len(names))
	for _, name := range names {
		n, err := readEML(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, n)
	}
	return out, nil
}

func readEML(path string) (ports.Notification, error) {
	f, err := os.Open(path)
	if err != nil {
		return ports.Notification{}, err
	}
	defer f.Close()
	m, err := mail.ReadMessage(f)
	if err != nil {
		return ports.Notification{}, err
	}
	var dec mime.WordDecoder
	decode := func(s string) string {
		if d, err := dec.DecodeHeader(s); err == nil {
			return d
		}
		return s
	}
	var body io.Reader = m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(m.Body)
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		return ports.Notification{}, err
	}
	n := ports.Notification{
		ID:       m.Header.Get("X-Multisaude-Notification-ID"),
		To:       m.Header.Get("To"),
		Channel:  m.Header.Get("X-Multisaude-Channel"),
		Template: decode(m.Header.Get("X-Multisaude-Template")),
		Subject:  decode(m.Header.Get("Subject")),
		Body:     strings.ReplaceAll(string(raw), "\r\n", "\n"),
	}
	for _, kv := range m.Header["X-Multisaude-Data"] {
		k, v, _ := strings.Cut(decode(kv), "=")
		if n.Data == nil {
			n.Data = map[string]string{}
		}
		n.Data[k] = v
	}
	return n, nil
}
