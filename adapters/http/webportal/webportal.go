// Package webportal serves the web portal (ui/, React and Chakra UI built by
// Vite into dist/) from the binary: hashed assets with a long cache, and the
// page itself for every other path outside the API, so that the portal's own
// routes (/entrar, /paciente/agenda, /verificar/{code}, ...) load on a reload.
//
// The page carries a fresh nonce per answer, named in its Content Security
// Policy: the portal's style engine (Emotion) adds <style> elements with it,
// and nothing else may run or style the page (no inline script, no CDN).
package webportal

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"io/fs"
	"mime"
	"path"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/core/kernel"
)

//go:embed all:dist
var dist embed.FS

// noncePlaceholder is what the build writes where the nonce goes (vite.config.ts: html.cspNonce).
const noncePlaceholder = "__CSP_NONCE__"

// file is one asset, read and compressed on its first request (an instance
// that serves only the API never holds the bundle in memory).
type file struct {
	name        string // in the embedded file system
	contentType string
	once        sync.Once
	body, gz    []byte // gz is nil when compressing does not pay
}

func (f *file) load(fsys fs.FS) {
	f.once.Do(func() {
		f.body, _ = fs.ReadFile(fsys, f.name) // listed at start: an embedded file reads
		f.gz = compress(f.body, f.contentType)
	})
}

// Portal holds the built portal.
type Portal struct {
	fsys  fs.FS
	index []byte
	files map[string]*file // by path, "/assets/index-1a2b.js"
}

// New loads the embedded build. A binary whose build has no page answers every
// page with a short pt-BR notice (the API still works).
func New() *Portal {
	p, err := load(dist)
	if err != nil { // an embedded file system does not fail to read; keep the API up if it ever does
		p = &Portal{fsys: dist, files: map[string]*file{}}
	}
	if p.index == nil {
		p.index = []byte(`<!doctype html><html lang="pt-BR"><meta charset="utf-8"><title>multisaude</title>` +
			`<p>Este binário foi compilado sem o portal web. A API continua em <a href="/openapi.json">/openapi.json</a>.</p></html>`)
	}
	return p
}

func load(fsys fs.FS) (*Portal, error) {
	p := &Portal{fsys: fsys, files: map[string]*file{}}
	err := fs.WalkDir(fsys, "dist", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := strings.TrimPrefix(name, "dist")
		if rel == "/index.html" {
			p.index, err = fs.ReadFile(fsys, name)
			return err
		}
		ct := mime.TypeByExtension(path.Ext(rel))
		if ct == "" {
			ct = "application/octet-stream"
		}
		p.files[rel] = &file{name: name, contentType: ct}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// compress gzips a text asset; binary formats (images, fonts) are left as they are.
func compress(body []byte, ct string) []byte {
	if len(body) < 1024 || !(strings.HasPrefix(ct, "text/") || strings.Contains(ct, "javascript") ||
		strings.Contains(ct, "json") || strings.Contains(ct, "svg")) {
		return nil
	}
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	_, _ = w.Write(body)
	_ = w.Close()
	if b.Len() >= len(body) {
		return nil
	}
	return b.Bytes()
}

// apiPrefixes are never the portal's: a miss there stays the API's 404 problem.
var apiPrefixes = []string{"/v1/", "/fhir/", "/dev/", "/.well-known/", "/chamada/", "/assets/"}

// Handler answers GET and HEAD requests no API route took: an asset by its
// path, else the page (the portal's router reads the path). Anything else
// goes on (to the API's 404).
func (p *Portal) Handler() fiber.Handler {
	return func(c *fiber.Ctx) error {
		if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
			return c.Next()
		}
		reqPath := c.Path()
		if f, ok := p.files[reqPath]; ok {
			return p.asset(c, reqPath, f)
		}
		if reqPath == "/metrics" { // served apart (httpapi.ServeMetrics): never the page on the public port
			return c.Next()
		}
		for _, pre := range apiPrefixes {
			if strings.HasPrefix(reqPath, pre) {
				return c.Next()
			}
		}
		if path.Ext(reqPath) != "" { // a file the build does not have (favicon.ico, an old chunk)
			return kernel.NotFound("arquivo não encontrado: %s", reqPath)
		}
		return p.page(c)
	}
}

func (p *Portal) asset(c *fiber.Ctx, name string, f *file) error {
	f.load(p.fsys)
	c.Set(fiber.HeaderContentType, f.contentType)
	if strings.HasPrefix(name, "/assets/") { // Vite names them by content hash
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	}
	c.Vary(fiber.HeaderAcceptEncoding)
	if f.gz != nil && strings.Contains(c.Get(fiber.HeaderAcceptEncoding), "gzip") {
		c.Set(fiber.HeaderContentEncoding, "gzip")
		return c.Send(f.gz)
	}
	return c.Send(f.body)
}

// CSP is the page's policy, for nonce. connect-src 'self' covers the API and
// the live WebSocket on the same origin; frames, objects and forms elsewhere are refused.
func CSP(nonce string) string {
	return "default-src 'none'; script-src 'self'; style-src 'self' 'nonce-" + nonce + "'; img-src 'self' data: blob:; " +
		"font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

func (p *Portal) page(c *fiber.Ctx) error {
	var raw [18]byte
	_, _ = rand.Read(raw[:])
	nonce := base64.RawURLEncoding.EncodeToString(raw[:])
	c.Set("Content-Security-Policy", CSP(nonce))
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(self), payment=()")
	c.Set(fiber.HeaderContentType, "text/html; charset=utf-8")
	return c.Send(bytes.ReplaceAll(p.index, []byte(noncePlaceholder), []byte(nonce)))
}
