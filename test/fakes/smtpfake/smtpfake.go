// Package smtpfake is an in-process SMTP server for tests. It speaks enough of
// RFC 5321 for real clients (net/smtp): EHLO/HELO, STARTTLS with a self-signed
// certificate, AUTH PLAIN and LOGIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT; it
// keeps every message it accepts and can decode it (RFC 2047 subjects,
// quoted-printable or base64 bodies) for assertions.
package smtpfake

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options configure the server.
type Options struct {
	NoTLS      bool              // do not offer STARTTLS
	RequireTLS bool              // refuse MAIL before STARTTLS
	Users      map[string]string // when set, AUTH is required (only after STARTTLS unless NoTLS)
	// Reject answers 550 to RCPT TO of the addresses it returns true for.
	Reject func(addr string) bool
}

// Message is one accepted message.
type Message struct {
	From     string
	To       []string
	Data     []byte // as received, dot-unstuffed, CRLF line endings
	TLS      bool   // the session had switched to TLS
	AuthUser string
}

// Server is a running fake SMTP server.
type Server struct {
	ln   net.Listener
	opts Options
	tls  *tls.Config
	pool *x509.CertPool
	wg   sync.WaitGroup

	mu   sync.Mutex
	msgs []Message
}

// New starts a server on 127.0.0.1; it stops when the test ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cert, pool, err := selfSigned()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{ln: ln, opts: opts, pool: pool, tls: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.Close)
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Host and Port split Addr.
func (s *Server) Host() string { h, _, _ := net.SplitHostPort(s.Addr()); return h }

// Port is the listening port.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// CertPool trusts the server's self-signed certificate.
func (s *Server) CertPool() *x509.CertPool { return s.pool }

// Close stops the server.
func (s *Server) Close() {
	_ = s.ln.Close()
	s.wg.Wait()
}

// Messages returns the accepted messages so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(30 * time.Second))
			s.session(c)
		}()
	}
}

type session struct {
	conn     net.Conn
	r        *bufio.Reader
	w        *bufio.Writer
	tls      bool
	authUser string
	from     string
	to       []string
	hello    bool
}

func (ss *session) reply(format string, a ...any) {
	fmt.Fprintf(ss.w, format+"\r\n", a...)
	_ = ss.w.Flush()
}

func (s *Server) session(c net.Conn) {
	ss := &session{conn: c, r: bufio.NewReader(c), w: bufio.NewWriter(c)}
	ss.reply("220 smtpfake ESMTP ready")
	for {
		line, err := ss.r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			ss.hello = true
			lines := []string{"smtpfake greets " + arg, "8BITMIME", "PIPELINING", "SIZE 10485760"}
			if !ss.tls && !s.opts.NoTLS {
				lines = append(lines, "STARTTLS")
			}
			if s.opts.Users != nil && (ss.tls || s.opts.NoTLS) {
				lines = append(lines, "AUTH PLAIN LOGIN")
			}
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				fmt.Fprintf(ss.w, "250%s%s\r\n", sep, l)
			}
			_ = ss.w.Flush()
		case "HELO":
			ss.hello = true
			ss.reply("250 smtpfake")
		case "STARTTLS":
			if ss.tls || s.opts.NoTLS {
				ss.reply("502 5.5.1 not available")
				continue
			}
			ss.reply("220 2.0.0 ready to start TLS")
			tc := tls.Server(ss.conn, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			ss.conn, ss.r, ss.w, ss.tls, ss.hello = tc, bufio.NewReader(tc), bufio.NewWriter(tc), true, false
			ss.from, ss.to = "", nil
		case "AUTH":
			s.auth(ss, arg)
		case "MAIL":
			switch {
			case !ss.hello:
				ss.reply("503 5.5.1 EHLO first")
			case s.opts.RequireTLS && !ss.tls:
				ss.reply("530 5.7.0 must issue STARTTLS first")
			case s.opts.Users != nil && ss.authUser == "":
				ss.reply("530 5.7.0 authentication required")
			default:
				addr, ok := pathArg(arg, "FROM:")
				if !ok {
					ss.reply("501 5.5.4 syntax: MAIL FROM:<address>")
					continue
				}
				ss.from, ss.to = addr, nil
				ss.reply("250 2.1.0 ok")
			}
		case "RCPT":
			addr, ok := pathArg(arg, "TO:")
			if ss.from == "" {
				ss.reply("503 5.5.1 MAIL first")
				continue
			}
			if !ok || addr == "" {
				ss.reply("501 5.5.4 syntax: RCPT TO:<address>")
				continue
			}
			if s.opts.Reject != nil && s.opts.Reject(addr) {
				ss.reply("550 5.1.1 mailbox unavailable")
				continue
			}
			ss.to = append(ss.to, addr)
			ss.reply("250 2.1.5 ok")
		case "DATA":
			if ss.from == "" || len(ss.to) == 0 {
				ss.reply("503 5.5.1 RCPT first")
				continue
			}
			ss.reply("354 end data with <CR><LF>.<CR><LF>")
			data, err := readData(ss.r)
			if err != nil {
				return
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, Message{From: ss.from, To: ss.to, Data: data, TLS: ss.tls, AuthUser: ss.authUser})
			s.mu.Unlock()
			ss.from, ss.to = "", nil
			ss.reply("250 2.0.0 ok queued")
		case "RSET":
			ss.from, ss.to = "", nil
			ss.reply("250 2.0.0 ok")
		case "NOOP":
			ss.reply("250 2.0.0 ok")
		case "QUIT":
			ss.reply("221 2.0.0 bye")
			return
		default:
			ss.reply("500 5.5.2 unknown command")
		}
	}
}

func (s *Server) auth(ss *session, arg string) {
	if s.opts.Users == nil || (!ss.tls && !s.opts.NoTLS) {
		ss.reply("503 5.5.1 AUTH not available")
		return
	}
	mech, initial, _ := strings.Cut(arg, " ")
	var user, pass string
	switch strings.ToUpper(mech) {
	case "PLAIN":
		if initial == "" {
			ss.reply("334 ")
			l, _ := ss.r.ReadString('\n')
			initial = strings.TrimSpace(l)
		}
		raw, err := base64.StdEncoding.DecodeString(initial)
		parts := strings.Split(string(raw), "\x00")
		if err != nil || len(parts) != 3 {
			ss.reply("501 5.5.2 bad AUTH PLAIN")
			return
		}
		user, pass = parts[1], parts[2]
	case "LOGIN":
		read := func(prompt string) string {
			ss.reply("334 %s", base64.StdEncoding.EncodeToString([]byte(prompt)))
			l, _ := ss.r.ReadString('\n')
			b, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(l))
			return string(b)
		}
		user = read("Username:")
		pass = read("Password:")
	default:
		ss.reply("504 5.5.4 unrecognised mechanism")
		return
	}
	if want, ok := s.opts.Users[user]; !ok || want != pass {
		ss.reply("535 5.7.8 authentication failed")
		return
	}
	ss.authUser = user
	ss.reply("235 2.7.0 authenticated")
}

func pathArg(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	end := strings.Index(rest, ">")
	if end < 0 {
		return "", false
	}
	return rest[1:end], true
}

func readData(r *bufio.Reader) ([]byte, error) {
	var b bytes.Buffer
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		if line == ".\r\n" || line == ".\n" {
			return b.Bytes(), nil
		}
		line = strings.TrimPrefix(line, ".") // dot-unstuffing
		b.WriteString(line)
	}
}

// Decoded is a message read back as a person would: headers parsed, subject
// and body decoded to UTF-8 text.
type Decoded struct {
	Header  mail.Header
	From    string
	To      string
	Subject string
	Body    string
}

// Decode parses a message's data.
func (m Message) Decode() (Decoded, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return Decoded{}, err
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return Decoded{}, err
	}
	var body io.Reader = msg.Body
	switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return Decoded{}, err
	}
	return Decoded{Header: msg.Header, From: msg.Header.Get("From"), To: msg.Header.Get("To"), Subject: subject, Body: string(b)}, nil
}

func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "smtpfake"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}
