package httpapi

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/multisaude/multisaude/core/kernel"
)

// maxJSONDepth is the deepest nesting of objects and arrays a body may have.
const maxJSONDepth = 64

// checkJSON is the pass over a body's bytes that runs before decoding. It refuses
// what encoding/json would accept by guessing: a string holding invalid UTF-8 or
// a lone UTF-16 surrogate escape (both silently become U+FFFD), a key repeated in
// one object (the last would silently win; keys are compared ignoring case, as
// encoding/json matches them to struct fields), and nesting deeper than
// maxJSONDepth. Each refusal is KindInvalid naming the JSON path of the field
// ("name", "weekly[3].mode"), "body" at the top.
//
// The pass is linear in the body and uses an explicit stack, never recursion.
// Malformed JSON it cannot follow is left to the decoder, which reports it: the
// check returns nil then.
func checkJSON(b []byte) error {
	s := jsonScanner{b: b, stack: make([]jsonFrame, 0, 8), keys: make([][]byte, 0, 32)} // most bodies fit: no allocation
	return s.run()
}

type jsonFrame struct {
	object   bool
	key      []byte              // the current key (objects)
	index    int                 // the current index (arrays)
	keyStart int                 // where this object's keys start in jsonScanner.keys
	seen     map[string]struct{} // folded keys, once the object has many
}

type jsonScanner struct {
	b     []byte
	i     int
	stack []jsonFrame
	keys  [][]byte // the keys of every open object, innermost last (a stack, as objects nest)
}

// manyKeys is how many keys an object may have before its duplicates are found
// with a map rather than by comparing each new key with the others.
const manyKeys = 16

// errStop ends the pass without a finding: the decoder will report the syntax error.
type errStop struct{}

func (errStop) Error() string { return "stop" }

func (s *jsonScanner) run() error {
	err := s.scan()
	if _, ok := err.(errStop); ok {
		return nil
	}
	return err
}

func (s *jsonScanner) scan() error {
	// want: what the grammar expects next.
	const (
		wantValue = iota
		wantKey   // after '{' or ','
		wantColon
		wantCommaOrEnd
	)
	want := wantValue
	for {
		s.skipSpace()
		if s.i >= len(s.b) {
			return errStop{}
		}
		c := s.b[s.i]
		switch want {
		case wantValue:
			switch c {
			case '{', '[':
				if len(s.stack) >= maxJSONDepth {
					return kernel.Invalid(s.path(), "aninha objetos e listas em mais de %d níveis", maxJSONDepth)
				}
				s.i++
				s.stack = append(s.stack, jsonFrame{object: c == '{', keyStart: len(s.keys)})
				s.skipSpace()
				if s.i < len(s.b) && (s.b[s.i] == '}' || s.b[s.i] == ']') {
					s.i++
					s.pop()
					want = wantCommaOrEnd
				} else if c == '{' {
					want = wantKey
				} else {
					want = wantValue
				}
				continue
			case '"':
				if _, _, err := s.str(false); err != nil {
					return err
				}
			default:
				// a number or a literal: the decoder checks its spelling
				for s.i < len(s.b) && !isJSONDelim(s.b[s.i]) {
					s.i++
				}
			}
			want = wantCommaOrEnd
		case wantKey:
			if c != '"' {
				return errStop{}
			}
			top := &s.stack[len(s.stack)-1]
			top.key = nil // the object's own path names a bad key
			key, _, err := s.str(true)
			if err != nil {
				return err
			}
			if s.repeated(top, key) {
				return kernel.Invalid(s.pathWith(string(key)), "aparece mais de uma vez no mesmo objeto")
			}
			top.key = key
			want = wantColon
		case wantColon:
			if c != ':' {
				return errStop{}
			}
			s.i++
			want = wantValue
		case wantCommaOrEnd:
			if len(s.stack) == 0 {
				return nil // one value read; what follows is the decoder's to judge
			}
			top := &s.stack[len(s.stack)-1]
			switch {
			case c == ',':
				s.i++
				if top.object {
					want = wantKey
				} else {
					top.index++
					want = wantValue
				}
			case c == '}' && top.object, c == ']' && !top.object:
				s.i++
				s.pop()
				if len(s.stack) == 0 {
					return nil
				}
			default:
				return errStop{}
			}
		}
	}
}

func (s *jsonScanner) pop() {
	s.keys = s.keys[:s.stack[len(s.stack)-1].keyStart]
	s.stack = s.stack[:len(s.stack)-1]
}

// repeated records key in the object f and tells whether it was already there,
// ignoring case as encoding/json does when it matches keys to fields.
func (s *jsonScanner) repeated(f *jsonFrame, key []byte) bool {
	mine := s.keys[f.keyStart:]
	if f.seen == nil {
		for _, k := range mine {
			if bytes.EqualFold(k, key) {
				return true
			}
		}
		s.keys = append(s.keys, key)
		if len(mine)+1 > manyKeys {
			f.seen = make(map[string]struct{}, 2*manyKeys)
			for _, k := range s.keys[f.keyStart:] {
				f.seen[foldKey(k)] = struct{}{}
			}
		}
		return false
	}
	k := foldKey(key)
	if _, dup := f.seen[k]; dup {
		return true
	}
	f.seen[k] = struct{}{}
	return false
}

func foldKey(k []byte) string { return string(bytes.ToLower(k)) }

func isJSONDelim(c byte) bool {
	switch c {
	case ',', '}', ']', ':', ' ', '\t', '\n', '\r', '"', '{', '[':
		return true
	}
	return false
}

func (s *jsonScanner) skipSpace() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// str reads the string starting at s.i (a '"'), checking its UTF-8 and escapes.
// With decode it returns the string's value (for keys).
func (s *jsonScanner) str(decode bool) ([]byte, bool, error) {
	start := s.i
	s.i++
	escaped := false
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			raw := s.b[start:s.i]
			if !decode {
				return nil, escaped, nil
			}
			if !escaped {
				return raw[1 : len(raw)-1], false, nil
			}
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, true, errStop{}
			}
			return []byte(v), true, nil
		case c == '\\':
			escaped = true
			if s.i+1 >= len(s.b) {
				return nil, true, errStop{}
			}
			if s.b[s.i+1] != 'u' {
				s.i += 2
				continue
			}
			r, ok := s.hex4(s.i + 2)
			if !ok {
				return nil, true, errStop{}
			}
			s.i += 6
			switch {
			case 0xDC00 <= r && r <= 0xDFFF:
				return nil, true, s.badString(decode, "contém um escape UTF-16 substituto isolado (\\u"+strconv.FormatUint(uint64(r), 16)+")")
			case 0xD800 <= r && r <= 0xDBFF:
				lo, ok := rune(0), false
				if s.i+1 < len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
					lo, ok = s.hex4(s.i + 2)
				}
				if !ok || lo < 0xDC00 || lo > 0xDFFF {
					return nil, true, s.badString(decode, "contém um escape UTF-16 substituto isolado (\\u"+strconv.FormatUint(uint64(r), 16)+")")
				}
				s.i += 6
			}
		case c < 0x20:
			return nil, escaped, errStop{} // a control character: the decoder's syntax error
		case c < utf8.RuneSelf:
			s.i++
		default:
			r, size := utf8.DecodeRune(s.b[s.i:])
			if r == utf8.RuneError && size <= 1 {
				return nil, escaped, s.badString(decode, "não é UTF-8 válido")
			}
			s.i += size
		}
	}
	return nil, escaped, errStop{}
}

func (s *jsonScanner) badString(key bool, why string) error {
	if key {
		return kernel.Invalid(s.path(), "tem uma chave que %s", why)
	}
	return kernel.Invalid(s.path(), "%s", why)
}

func (s *jsonScanner) hex4(at int) (rune, bool) {
	if at+4 > len(s.b) {
		return 0, false
	}
	var r rune
	for _, c := range s.b[at : at+4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// path is the JSON path of the value being read: "weekly[3].mode", "body" at the top.
func (s *jsonScanner) path() string { return s.pathWith("") }

func (s *jsonScanner) pathWith(last string) string {
	var b strings.Builder
	for _, f := range s.stack {
		if f.object {
			if f.key == nil {
				break
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.Write(f.key)
		} else {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(f.index))
			b.WriteByte(']')
		}
	}
	if last != "" {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(last)
	}
	if b.Len() == 0 {
		return "body"
	}
	return b.String()
}
