//go:build !lambda

package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/multisaude/multisaude/adapters/blob/devs3"
)

func init() {
	register("dev", "development tools: `dev s3 [--addr 127.0.0.1:9000]` serves an in-memory S3 for the onprem profile's MinIO; `dev pay <charge-id> [--fail]` pays a local simulated charge", dev)
}

func dev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "pay" {
		return devPay(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "s3" {
		fmt.Fprintln(stderr, "usage: multisaude dev s3 [--addr 127.0.0.1:9000] | multisaude dev pay <charge-id> [--fail]")
		return fmt.Errorf("unknown or missing development tool: want s3 or pay")
	}
	fs := flag.NewFlagSet("dev s3", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9000", "listen address")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "in-memory S3 (not for real data) on http://%s; any access key works, buckets are created on first use\n", *addr)
	return devs3.Serve(ctx, *addr, "")
}
