// Command gen regenerates the contract test's Go client from the OpenAPI
// document the server builds: it writes openapi.json and client.gen.go into the
// directory given by -dir (default: the current one, so that the
// //go:generate line in test/contract/client runs it there).
//
//	go generate ./test/contract/...
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/multisaude/multisaude/test/contract/spec"
)

func main() {
	dir := flag.String("dir", ".", "the client package's directory (holding "+spec.ConfigFile+")")
	flag.Parse()
	if err := spec.Generate(context.Background(), *dir, filepath.Join(*dir, spec.ConfigFile)); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
