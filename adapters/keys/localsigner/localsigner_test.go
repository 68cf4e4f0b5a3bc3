package localsigner_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/multisaude/multisaude/adapters/keys/localsigner"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
)

func TestConformanceSeed(t *testing.T) {
	conformance.RunDocumentSigner(t, func(t *testing.T) ports.DocumentSigner {
		s, err := localsigner.New(localsigner.Config{Seed: localsigner.NewSeed()})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestConformanceFile(t *testing.T) {
	conformance.RunDocumentSigner(t, func(t *testing.T) ports.DocumentSigner {
		s, err := localsigner.New(localsigner.Config{DataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestKeyPersistsAcrossRestarts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	a, err := localsigner.New(localsigner.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, "signing-key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", err, info)
	}
	sig, _ := a.Sign(context.Background(), []byte("receita"))
	b, err := localsigner.New(localsigner.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if a.KeyID() != b.KeyID() {
		t.Fatalf("key ID changed on restart: %s, %s", a.KeyID(), b.KeyID())
	}
	if err := b.Verify(context.Background(), []byte("receita"), sig); err != nil {
		t.Fatalf("a restarted signer rejects its own signature: %v", err)
	}
	other, _ := localsigner.New(localsigner.Config{DataDir: t.TempDir()})
	if err := other.Verify(context.Background(), []byte("receita"), sig); err == nil {
		t.Fatal("another key accepted the signature")
	}
}

func TestSeedIsDeterministic(t *testing.T) {
	seed := localsigner.NewSeed()
	a, _ := localsigner.New(localsigner.Config{Seed: seed})
	b, _ := localsigner.New(localsigner.Config{Seed: seed, DataDir: t.TempDir()})
	if a.KeyID() != b.KeyID() {
		t.Fatal("the same seed gives different key IDs")
	}
	for _, bad := range []string{"not base64!", "AAAA"} {
		if _, err := localsigner.New(localsigner.Config{Seed: bad}); err == nil {
			t.Errorf("seed %q accepted", bad)
		}
	}
	if _, err := localsigner.New(localsigner.Config{}); err == nil {
		t.Error("no key source accepted")
	}
}
