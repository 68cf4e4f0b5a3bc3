package fhirapi

import (
	"context"
	"net/url"
	"sort"
	"strings"

	"github.com/multisaude/multisaude/core/kernel"
)

// Search runs a search of typ for p with the request's parameters and
// answers its searchset Bundle; base is the facade's absolute URL.
func (f *Facade) Search(ctx context.Context, p kernel.Principal, typ string, values url.Values, base string) (*Bundle, error) {
	rt, err := f.typeOf(typ)
	if err != nil {
		return nil, err
	}
	if err := allow(p, rt); err != nil {
		return nil, err
	}
	q, err := parseQuery(rt, values)
	if err != nil {
		return nil, err
	}
	var found Found
	if len(q.IDs) > 0 {
		if len(q.Params) > 0 || q.Cursor != "" {
			return nil, kernel.Invalid(pID, "_id não se combina com outros parâmetros de busca neste servidor")
		}
		for _, id := range dedupe(q.IDs) {
			r, err := rt.Read(ctx, p, id)
			if kernel.KindOf(err) == kernel.KindNotFound {
				continue
			}
			if err != nil {
				return nil, err
			}
			found.Matches = append(found.Matches, r)
		}
	} else if found, err = rt.Search(ctx, p, q); err != nil {
		return nil, err
	}
	if len(q.Include) > 0 && rt.IncludeRefs != nil {
		inc, err := f.includes(ctx, p, rt, q.Include, found.Matches)
		if err != nil {
			return nil, err
		}
		found.Included = append(found.Included, inc...)
	}
	return f.searchset(base, rt.Name, values, found), nil
}

// includes reads the resources the matches reference through the _include
// values, once each; those the caller may not read are left out.
func (f *Facade) includes(ctx context.Context, p kernel.Principal, rt *resourceType, include []string, matches []Resource) ([]Resource, error) {
	seen := map[string]bool{}
	var out []Resource
	for _, inc := range include {
		for _, m := range matches {
			for _, r := range rt.IncludeRefs(inc, m) {
				if seen[r] {
					continue
				}
				seen[r] = true
				typ, id, ok := strings.Cut(r, "/")
				if !ok {
					continue
				}
				irt := f.types[typ]
				if irt == nil || allow(p, irt) != nil {
					continue
				}
				res, err := f.read(ctx, p, typ, id)
				switch {
				case err == nil:
					out = append(out, res)
				case kernel.KindOf(err) == kernel.KindNotFound, kernel.KindOf(err) == kernel.KindForbidden:
				default:
					return nil, err
				}
			}
		}
	}
	return out, nil
}

func dedupe(ids []string) []string {
	seen := map[string]bool{}
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// searchset assembles the Bundle with its self and next links.
func (f *Facade) searchset(base, typ string, values url.Values, found Found) *Bundle {
	b := &Bundle{Base: Base{ResourceType: "Bundle", ID: kernel.NewID()}, Type: "searchset", Timestamp: instant(f.now())}
	self := cloneValues(values)
	delete(self, pCursor)
	selfURL := base + "/" + typ + encode(values)
	b.Link = append(b.Link, BundleLink{Relation: "self", URL: selfURL})
	if found.Next != "" {
		self.Set(pCursor, found.Next)
		b.Link = append(b.Link, BundleLink{Relation: "next", URL: base + "/" + typ + encode(self)})
	}
	for _, r := range found.Matches {
		b.Entry = append(b.Entry, BundleEntry{FullURL: fullURL(base, r), Resource: r, Search: &EntrySearch{Mode: "match"}})
	}
	for _, r := range found.Included {
		b.Entry = append(b.Entry, BundleEntry{FullURL: fullURL(base, r), Resource: r, Search: &EntrySearch{Mode: "include"}})
	}
	if found.Next == "" && len(values[pCursor]) == 0 {
		n := len(found.Matches)
		b.Total = &n // the whole result is on this one page
	}
	return b
}

func fullURL(base string, r Resource) string {
	rb := r.base()
	return base + "/" + rb.ResourceType + "/" + rb.ID
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// encode writes values in a stable order ("?a=1&b=2"), "" when none.
func encode(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, x := range v[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(x))
		}
	}
	return "?" + b.String()
}
