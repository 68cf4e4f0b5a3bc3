package localkeys_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/multisaude/multisaude/adapters/keys/localkeys"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
)

func TestConformance(t *testing.T) {
	conformance.RunKeyManager(t, func(t *testing.T) conformance.KeyManagerFixture {
		k1 := localkeys.GenerateKey("k1")
		km, err := localkeys.New(localkeys.Config{MasterKeys: k1})
		if err != nil {
			t.Fatal(err)
		}
		return conformance.KeyManagerFixture{
			Keys: km,
			Rotate: func(t *testing.T) ports.KeyManager {
				km2, err := localkeys.New(localkeys.Config{MasterKeys: localkeys.GenerateKey("k2") + "," + k1})
				if err != nil {
					t.Fatal(err)
				}
				return km2
			},
		}
	})
}

func TestConfig(t *testing.T) {
	k1, k2 := localkeys.GenerateKey("k1"), localkeys.GenerateKey("k2")
	bad := []localkeys.Config{
		{},
		{MasterKeys: "k1"},
		{MasterKeys: "k1=AAAA"},
		{MasterKeys: "k 1=" + k1[3:]},
		{MasterKeys: k1 + "," + k1},
		{MasterKeys: k1, CurrentKeyID: "k9"},
		{MasterKeysFile: filepath.Join(t.TempDir(), "missing")},
	}
	for _, c := range bad {
		if _, err := localkeys.New(c); err == nil {
			t.Errorf("New(%+v) accepted a bad configuration", c)
		}
	}
	file := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(file, []byte("# ring\n"+k1+"\n"+k2+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	km, err := localkeys.New(localkeys.Config{MasterKeysFile: file, CurrentKeyID: "k2"})
	if err != nil {
		t.Fatal(err)
	}
	if km.CurrentKeyID() != "k2" {
		t.Errorf("current key %q, want k2", km.CurrentKeyID())
	}
	dk, err := km.GenerateDataKey(context.Background(), nil)
	if err != nil || dk.KeyID != "k2" {
		t.Fatalf("GenerateDataKey: %v, key %q", err, dk.KeyID)
	}
	// A ring with only k1 cannot unwrap it (unknown master key is forbidden).
	only1, _ := localkeys.New(localkeys.Config{MasterKeys: k1})
	if _, err := only1.Decrypt(context.Background(), dk.Wrapped, nil); err == nil {
		t.Error("a ring without k2 unwrapped a k2 key")
	}
}

func TestGeneratedKeyPersists(t *testing.T) {
	dir := t.TempDir()
	a, err := localkeys.New(localkeys.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	dk, err := a.GenerateDataKey(context.Background(), map[string]string{"a": "b"})
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, "master-keys"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("generated key file: %v %v", err, info)
	}
	b, err := localkeys.New(localkeys.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.Decrypt(context.Background(), dk.Wrapped, map[string]string{"a": "b"})
	if err != nil || !bytes.Equal(got, dk.Plaintext) {
		t.Fatalf("a restarted keyring cannot unwrap: %v", err)
	}
}
