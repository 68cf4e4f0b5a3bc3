package httpwebhook_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/webhook/httpwebhook"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
)

func TestConformance(t *testing.T) {
	conformance.RunWebhookSender(t, func(t *testing.T, allowPrivate bool) ports.WebhookSender {
		return httpwebhook.New(httpwebhook.Settings{AllowPrivate: allowPrivate})
	})
}

// fakeResolver answers from a table; answers[host] is consumed one entry per
// lookup, the last repeating (so a name can change between check and dial).
type fakeResolver struct {
	mu      sync.Mutex
	answers map[string][][]string
	lookups atomic.Int32
}

func (r *fakeResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	r.lookups.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	seq, ok := r.answers[host]
	if !ok || len(seq) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	cur := seq[0]
	if len(seq) > 1 {
		r.answers[host] = seq[1:]
	}
	out := make([]net.IPAddr, 0, len(cur))
	for _, s := range cur {
		out = append(out, net.IPAddr{IP: net.ParseIP(s)})
	}
	return out, nil
}

func TestCheckURL(t *testing.T) {
	res := &fakeResolver{answers: map[string][][]string{
		"public.example":   {{"93.184.216.34"}},
		"loopback.example": {{"127.0.0.1"}},
		"mixed.example":    {{"93.184.216.34", "10.1.2.3"}},
		"metadata.example": {{"169.254.169.254"}},
		"v6.example":       {{"2606:2800:220:1:248:1893:25c8:1946"}},
		"mapped.example":   {{"::ffff:192.168.1.1"}},
	}}
	s := httpwebhook.New(httpwebhook.Settings{Resolver: res})
	for _, c := range []struct {
		url    string
		ok     bool
		reason string
	}{
		{"https://public.example/hooks", true, ""},
		{"https://v6.example/hooks", true, ""},
		{"https://93.184.216.34:8443/hooks", true, ""},
		{"https://127.0.0.1/hooks", false, "loopback"},
		{"http://public.example/hooks", false, "https"},
		{"https://[::1]/hooks", false, "loopback"},
		{"https://169.254.169.254/latest/meta-data", false, "link-local"},
		{"https://10.0.0.1/hooks", false, "rede privada"},
		{"https://loopback.example/hooks", false, "loopback"},
		{"https://mixed.example/hooks", false, "rede privada"},
		{"https://metadata.example/", false, "link-local"},
		{"https://mapped.example/", false, "rede privada"},
		{"https://[::ffff:10.0.0.1]/", false, "rede privada"},
		{"https://100.100.1.1/", false, "rede privada"},
		{"https://0.1.2.3/", false, "não roteável"},
		{"https://[64:ff9b::7f00:1]/", false, "loopback"},
		{"https://[2002:a00:1::]/", false, "rede privada"},
		{"https://nowhere.example/", false, "não foi encontrado"},
		{"https://u:p@public.example/", false, "usuário"},
		{"https://public.example:0/", false, "URL absoluta"},
		{"gopher://public.example/", false, "URL absoluta"},
	} {
		err := s.CheckURL(context.Background(), c.url)
		if c.ok {
			if err != nil {
				t.Errorf("%s: %v, want accepted", c.url, err)
			}
			continue
		}
		if kernel.KindOf(err) != kernel.KindInvalid || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("%s: %v, want KindInvalid saying %q", c.url, err, c.reason)
		}
	}
}

func TestRefusal(t *testing.T) {
	for ip, want := range map[string]bool{
		"8.8.8.8": true, "93.184.216.34": true, "2001:4860:4860::8888": true,
		"10.0.0.1": false, "172.31.255.255": false, "192.168.1.1": false, "100.64.0.1": false, "127.0.0.2": false,
		"169.254.169.254": false, "0.0.0.0": false, "0.1.2.3": false, "255.255.255.255": false, "224.0.0.251": false,
		"::": false, "::1": false, "fe80::1": false, "fc00::1": false, "fd12::1": false, "ff02::1": false,
		"::ffff:127.0.0.1": false, "::ffff:169.254.169.254": false, "::ffff:8.8.8.8": true, "::127.0.0.1": false,
	} {
		got := httpwebhook.Refusal(netip.MustParseAddr(ip)) == ""
		if got != want {
			t.Errorf("%s allowed=%v, want %v (%q)", ip, got, want, httpwebhook.Refusal(netip.MustParseAddr(ip)))
		}
	}
}

// TestDNSRebindingRefusedAtDial: the name resolves to a public address when
// the URL is checked and to 127.0.0.1 when the sender dials; the connection is
// refused on the address actually dialled, and the loopback server sees nothing.
func TestDNSRebindingRefusedAtDial(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "https://"))
	res := &fakeResolver{answers: map[string][][]string{"rebind.example": {{"93.184.216.34"}, {"127.0.0.1"}}}}
	s := httpwebhook.New(httpwebhook.Settings{Resolver: res, TLS: srv.Client().Transport.(*http.Transport).TLSClientConfig})
	url := "https://rebind.example:" + port + "/hooks"
	if err := s.CheckURL(context.Background(), url); err != nil {
		t.Fatalf("check time: %v (the name looked public then)", err)
	}
	_, key, _ := commerce.NewWebhookSecret()
	out, err := s.Send(context.Background(), ports.WebhookRequest{URL: url, MessageID: "msg_1", Timestamp: time.Now(), Body: []byte(`{}`), Secrets: [][]byte{key}})
	if kernel.KindOf(err) != kernel.KindInvalid || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("dial time: %v, want KindInvalid naming loopback", err)
	}
	if out.Status != 0 || hits.Load() != 0 {
		t.Errorf("the rebound address was reached: status %d, %d hits", out.Status, hits.Load())
	}
	if res.lookups.Load() < 2 {
		t.Errorf("the name was resolved %d times, want once at check and again at dial", res.lookups.Load())
	}
}

// TestAllowPrivateReachesLocalServer: the local profile's setting reaches an
// httptest server (loopback, https with its test certificate, and plain http).
func TestAllowPrivateReachesLocalServer(t *testing.T) {
	var hits atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1); w.WriteHeader(http.StatusAccepted) })
	tlsSrv := httptest.NewTLSServer(h)
	defer tlsSrv.Close()
	plain := httptest.NewServer(h)
	defer plain.Close()
	s := httpwebhook.New(httpwebhook.Settings{AllowPrivate: true, TLS: tlsSrv.Client().Transport.(*http.Transport).TLSClientConfig})
	_, key, _ := commerce.NewWebhookSecret()
	for _, u := range []string{tlsSrv.URL, plain.URL} {
		if err := s.CheckURL(context.Background(), u); err != nil {
			t.Errorf("CheckURL %s: %v", u, err)
		}
		out, err := s.Send(context.Background(), ports.WebhookRequest{URL: u, MessageID: "msg_1", Timestamp: time.Now(), Body: []byte(`{}`), Secrets: [][]byte{key}})
		if err != nil || out.Status != http.StatusAccepted {
			t.Errorf("Send %s: %d %v", u, out.Status, err)
		}
	}
	if hits.Load() != 2 {
		t.Errorf("%d hits, want 2", hits.Load())
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	s := httpwebhook.New(httpwebhook.Settings{AllowPrivate: true, Timeout: 200 * time.Millisecond})
	_, key, _ := commerce.NewWebhookSecret()
	start := time.Now()
	out, err := s.Send(context.Background(), ports.WebhookRequest{URL: srv.URL, MessageID: "msg_1", Timestamp: time.Now(), Body: []byte(`{}`), Secrets: [][]byte{key}})
	if err == nil || out.Status != 0 || !strings.Contains(err.Error(), "tempo esgotado") {
		t.Errorf("a silent receiver: status %d, %v; want a timeout", out.Status, err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the attempt took %s", d)
	}
}
