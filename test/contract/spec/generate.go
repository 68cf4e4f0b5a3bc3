package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Files the generator writes into a client package's directory.
const (
	DocumentFile = "openapi.json"  // the document oapi-codegen is fed
	ClientFile   = "client.gen.go" // the generated client
	ConfigFile   = "oapi-codegen.yaml"
)

// Generate writes the served document to dir/openapi.json and runs oapi-codegen
// (the go tool pinned in go.mod) on it with config, writing dir/client.gen.go.
// The tool's chatter on stderr is shown only when it fails.
func Generate(ctx context.Context, dir, config string) error {
	doc, err := Served(ctx)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(doc, "", "  ") // map keys sorted: the file is stable
	if err != nil {
		return err
	}
	docPath := filepath.Join(dir, DocumentFile)
	if err := os.WriteFile(docPath, append(b, '\n'), 0o644); err != nil {
		return err
	}
	config, err = filepath.Abs(config)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "tool", "oapi-codegen", "-config", config,
		"-o", filepath.Join(dir, ClientFile), docPath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if out, err := cmd.Output(); err != nil {
		return fmt.Errorf("oapi-codegen: %w\n%s%s", err, out, stderr.Bytes())
	}
	return nil
}
