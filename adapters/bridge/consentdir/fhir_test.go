package consentdir

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
)

type bundleFunc func(p kernel.Principal, w io.Writer) error

func (f bundleFunc) WriteExportBundle(_ context.Context, p kernel.Principal, w io.Writer) error {
	return f(p, w)
}

func TestFHIRSection(t *testing.T) {
	ctx := context.Background()
	p := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}
	d := New(nil, nil, nil, nil, nil)

	// no writer: an empty collection Bundle
	var buf bytes.Buffer
	if err := d.WriteSection(ctx, p, consent.SectionFHIR, &buf); err != nil {
		t.Fatal(err)
	}
	var b map[string]any
	if err := json.Unmarshal(buf.Bytes(), &b); err != nil || b["resourceType"] != "Bundle" || b["type"] != "collection" || b["entry"] != nil {
		t.Fatalf("%v %s", err, buf.Bytes())
	}

	// a writer: the section is exactly what it writes, for the owner
	var got kernel.Principal
	d.UseFHIR(bundleFunc(func(p kernel.Principal, w io.Writer) error {
		got = p
		_, err := io.WriteString(w, `{"resourceType":"Bundle","type":"collection","entry":[]}`)
		return err
	}))
	buf.Reset()
	if err := d.WriteSection(ctx, p, consent.SectionFHIR, &buf); err != nil {
		t.Fatal(err)
	}
	if got.AccountID != p.AccountID || buf.String() != `{"resourceType":"Bundle","type":"collection","entry":[]}` {
		t.Fatalf("delegated as %+v: %s", got, buf.String())
	}
}
