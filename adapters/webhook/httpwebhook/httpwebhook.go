// Package httpwebhook delivers partners' webhooks over HTTP (ports.WebhookSender),
// signed as the Standard Webhooks specification says, and guards against
// server-side request forgery: unless Settings.AllowPrivate, only https URLs
// whose every address is public are accepted, checked when the URL is
// registered and again on the very address each connection dials (DNS rebinding).
package httpwebhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Resolver looks host names up; *net.Resolver is one.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Settings tune the sender.
type Settings struct {
	// AllowPrivate accepts http and private, loopback and link-local
	// addresses (local profile and tests only).
	AllowPrivate bool
	// Timeout bounds one attempt, from dialling to the answer's end; default 10 s.
	Timeout time.Duration
	// Resolver resolves host names, at check time and at dial time; default net.DefaultResolver.
	Resolver Resolver
	// TLS is the client's TLS configuration (tests trust their server's certificate); default the system's.
	TLS *tls.Config
	// WrapTransport, when set, wraps the checked transport (tracing: a span and a traceparent per attempt).
	WrapTransport func(http.RoundTripper) http.RoundTripper
}

// UserAgent is sent with every webhook.
const UserAgent = "multisaude-webhooks/1"

// maxAnswer is how much of the receiver's answer is read and kept.
const maxAnswer = 1024

// Sender is the ports.WebhookSender over net/http.
type Sender struct {
	set    Settings
	client *http.Client
}

var _ ports.WebhookSender = (*Sender)(nil)

// New builds a sender.
func New(s Settings) *Sender {
	if s.Timeout <= 0 {
		s.Timeout = 10 * time.Second
	}
	if s.Resolver == nil {
		s.Resolver = net.DefaultResolver
	}
	snd := &Sender{set: s}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would dial for us, past the address check
		DialContext:           snd.dial,
		TLSClientConfig:       s.TLS,
		TLSHandshakeTimeout:   s.Timeout,
		ResponseHeaderTimeout: s.Timeout,
		MaxIdleConns:          20,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	var rt http.RoundTripper = tr
	if s.WrapTransport != nil {
		rt = s.WrapTransport(tr)
	}
	snd.client = &http.Client{Transport: rt, Timeout: s.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return snd
}

// Reasons a destination is refused (pt-BR, shown to the partner).
const (
	reasonURL       = "deve ser uma URL absoluta (https://...)"
	reasonHTTPS     = "deve usar https"
	reasonUserinfo  = "não pode conter usuário ou senha"
	reasonNoHost    = "o nome do servidor não foi encontrado"
	reasonPrivate   = "o endereço resolve para uma rede privada"
	reasonLoopback  = "o endereço resolve para a própria máquina (loopback)"
	reasonLinkLocal = "o endereço resolve para um endereço link-local"
	reasonReserved  = "o endereço resolve para um endereço não roteável (não especificado, multicast, broadcast ou reservado)"
)

var (
	cgnat       = netip.MustParsePrefix("100.64.0.0/10")
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8")
	reserved4   = netip.MustParsePrefix("240.0.0.0/4") // includes broadcast 255.255.255.255
	nat64       = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
	v4compat    = netip.MustParsePrefix("::/96")
)

// Refusal says why ip may not receive webhooks, "" when it may.
func Refusal(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid():
		return reasonReserved
	case ip.Is6() && nat64.Contains(ip):
		b := ip.As16()
		return Refusal(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
	case ip.Is6() && sixToFour.Contains(ip):
		b := ip.As16()
		return Refusal(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
	case ip.IsLoopback():
		return reasonLoopback
	case ip.IsPrivate(), ip.Is4() && cgnat.Contains(ip):
		return reasonPrivate
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return reasonLinkLocal
	case ip.IsUnspecified(), ip.IsMulticast(), ip.IsInterfaceLocalMulticast(),
		ip.Is4() && (thisNetwork.Contains(ip) || reserved4.Contains(ip)),
		ip.Is6() && v4compat.Contains(ip):
		return reasonReserved
	}
	return ""
}

func refused(reason string) error { return kernel.Invalid("url", "%s", reason) }

// parse checks the URL's form.
func (s *Sender) parse(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Hostname() == "" {
		return nil, refused(reasonURL)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !s.set.AllowPrivate {
			return nil, refused(reasonHTTPS)
		}
	default:
		return nil, refused(reasonURL)
	}
	if u.User != nil {
		return nil, refused(reasonUserinfo)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, refused(reasonURL)
		}
	}
	return u, nil
}

// resolve returns the addresses of host (an IP literal stands for itself).
func (s *Sender) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip}, nil
	}
	addrs, err := s.set.Resolver.LookupIPAddr(ctx, host)
	if err != nil {
		var de *net.DNSError
		if errors.As(err, &de) && (de.IsNotFound || !de.IsTemporary) {
			return nil, refused(reasonNoHost)
		}
		return nil, kernel.Unavailable(err, "não foi possível resolver o nome do servidor agora; tente de novo")
	}
	out := make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		if ip, ok := netip.AddrFromSlice(a.IP); ok {
			out = append(out, ip.Unmap())
		}
	}
	if len(out) == 0 {
		return nil, refused(reasonNoHost)
	}
	return out, nil
}

// checkAll refuses when any address is not public.
func (s *Sender) checkAll(ips []netip.Addr) error {
	if s.set.AllowPrivate {
		return nil
	}
	for _, ip := range ips {
		if r := Refusal(ip); r != "" {
			return refused(r)
		}
	}
	return nil
}

// CheckURL tells whether url may receive webhooks now.
func (s *Sender) CheckURL(ctx context.Context, raw string) error {
	u, err := s.parse(raw)
	if err != nil {
		return err
	}
	ips, err := s.resolve(ctx, u.Hostname())
	if err != nil {
		return err
	}
	return s.checkAll(ips)
}

// refusedDial marks a connection refused by the address check.
type refusedDial struct{ reason string }

func (e refusedDial) Error() string { return e.reason }

// control runs on the socket about to connect, with the address actually
// dialled: whatever the name resolved to a moment ago, a refused address is
// never connected to.
func (s *Sender) control(network, address string, _ syscall.RawConn) error {
	if s.set.AllowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return refusedDial{reasonURL}
	}
	if r := Refusal(ap.Addr()); r != "" {
		return refusedDial{r}
	}
	return nil
}

// dial resolves with the configured resolver and dials each address through
// a dialer whose Control checks it.
func (s *Sender) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	ips, err := s.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	d := &net.Dialer{Timeout: s.set.Timeout, Control: s.control}
	var firstErr error
	for _, ip := range ips {
		c, err := d.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return c, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		var rd refusedDial
		if errors.As(err, &rd) {
			return nil, err // never try the other addresses of a name that resolves to a refused one
		}
	}
	return nil, firstErr
}

// Sign returns the webhook-signature header for one message: one "v1,<base64>"
// per secret, space-separated.
func Sign(msgID string, ts time.Time, body []byte, secrets [][]byte) string {
	sigs := make([]string, 0, len(secrets))
	for _, key := range secrets {
		m := hmac.New(sha256.New, key)
		fmt.Fprintf(m, "%s.%d.", msgID, ts.Unix())
		m.Write(body)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
	}
	return strings.Join(sigs, " ")
}

// Send makes one attempt.
func (s *Sender) Send(ctx context.Context, r ports.WebhookRequest) (ports.WebhookResult, error) {
	if _, err := s.parse(r.URL); err != nil {
		return ports.WebhookResult{}, err
	}
	if len(r.Secrets) == 0 {
		return ports.WebhookResult{}, kernel.Internal(nil, "webhook %s has no signing secret", r.MessageID)
	}
	ctx, cancel := context.WithTimeout(ctx, s.set.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, strings.NewReader(string(r.Body)))
	if err != nil {
		return ports.WebhookResult{}, refused(reasonURL)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("webhook-id", r.MessageID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(r.Timestamp.Unix(), 10))
	req.Header.Set("webhook-signature", Sign(r.MessageID, r.Timestamp, r.Body, r.Secrets))
	start := time.Now()
	res, err := s.client.Do(req)
	if err != nil {
		return ports.WebhookResult{Duration: time.Since(start)}, classify(err)
	}
	defer res.Body.Close()
	// The status has arrived; an answer cut short does not undo it.
	answer, _ := io.ReadAll(io.LimitReader(res.Body, maxAnswer))
	return ports.WebhookResult{Status: res.StatusCode, Duration: time.Since(start), Body: strings.ToValidUTF8(string(answer), "")}, nil
}

// classify turns a transport failure into a short pt-BR reason without detail
// from inside our network.
func classify(err error) error {
	var rd refusedDial
	if errors.As(err, &rd) {
		return refused(rd.reason)
	}
	var ke *kernel.Error
	if errors.As(err, &ke) {
		return err
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return kernel.Unavailable(err, "tempo esgotado aguardando o destino")
	case errors.Is(err, syscall.ECONNREFUSED):
		return kernel.Unavailable(err, "conexão recusada pelo destino")
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return kernel.Unavailable(err, "o destino encerrou a conexão")
	}
	var te *tls.CertificateVerificationError
	var re tls.RecordHeaderError
	if errors.As(err, &te) || errors.As(err, &re) || strings.Contains(err.Error(), "tls:") || strings.Contains(err.Error(), "x509:") {
		return kernel.Unavailable(err, "falha na negociação TLS com o destino")
	}
	return kernel.Unavailable(err, "falha de rede ao entregar")
}
