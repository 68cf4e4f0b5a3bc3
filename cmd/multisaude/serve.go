package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	appwire "github.com/multisaude/multisaude/wire"
)

func init() {
	register("serve", "run the HTTP API (and, unless --no-worker, the background worker)", serve)
	register("worker", "run only the background worker (outbox relay, consumers, scheduler)", worker)
	register("version", "print the version", func(_ context.Context, _ []string, out, _ io.Writer) error {
		fmt.Fprintln(out, version)
		return nil
	})
	register("config", "list the configuration variables with their defaults (--markdown for the README table)", func(_ context.Context, args []string, out, _ io.Writer) error {
		if len(args) == 1 && args[0] == "--markdown" {
			fmt.Fprintln(out, "| variable | default | meaning |\n|---|---|---|")
			for _, f := range appwire.Fields() {
				def := "empty"
				if f.Default != "" {
					def = "`" + f.Default + "`"
				}
				fmt.Fprintf(out, "| `%s` | %s | %s |\n", f.Env, def, f.Help)
			}
			return nil
		}
		for _, f := range appwire.Fields() {
			fmt.Fprintf(out, "%-30s default %-22q %s\n", f.Env, f.Default, f.Help)
		}
		return nil
	})
}

// loadConfig reads the configuration and applies the common flags.
func loadConfig(name string, args []string, stderr io.Writer) (appwire.Config, *flag.FlagSet, error) {
	load := appwire.Load
	if name == "migrate" {
		load = appwire.LoadDatabase
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	profile := fs.String("profile", "", "local, aws or onprem (overrides MULTISAUDE_PROFILE)")
	noWorker := fs.Bool("no-worker", false, "serve: do not run the background worker in this process")
	if err := fs.Parse(args); err != nil {
		return appwire.Config{}, fs, err
	}
	getenv := os.Getenv
	if *profile != "" {
		getenv = func(k string) string {
			if k == "MULTISAUDE_PROFILE" {
				return *profile
			}
			return os.Getenv(k)
		}
	}
	cfg, err := load(getenv)
	if err != nil {
		return cfg, fs, err
	}
	cfg.Version = version
	if *noWorker {
		cfg.RunWorker = false
	}
	return cfg, fs, nil
}

func serve(ctx context.Context, args []string, _, stderr io.Writer) error {
	cfg, _, err := loadConfig("serve", args, stderr)
	if err != nil {
		return err
	}
	app, cleanup, err := build(ctx, cfg)
	if err != nil {
		return err
	}
	defer cleanup()
	if err := app.Start(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s (MULTISAUDE_HTTP_ADDR): %w", cfg.HTTPAddr, err)
	}
	var mln net.Listener
	if cfg.MetricsAddr != "" {
		if mln, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			_ = ln.Close()
			return fmt.Errorf("listen on %s (MULTISAUDE_METRICS_ADDR; off disables it): %w", cfg.MetricsAddr, err)
		}
		app.Log.Info("metrics serving", "addr", mln.Addr().String())
	}
	app.Log.Info("multisaude serving", "addr", ln.Addr().String(), "profile", cfg.Profile, "version", version, "worker", cfg.RunWorker)

	workerCtx, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	if cfg.RunWorker {
		app.RunWorkers(workerCtx, &wg)
	}
	metricsDone := make(chan error, 1)
	if mln != nil {
		go func() { metricsDone <- app.Server.ServeMetrics(ctx, mln) }()
	} else {
		metricsDone <- nil
	}
	serveErr := app.Server.Serve(ctx, ln) // returns after ctx ends and requests drain
	if err := <-metricsDone; err != nil {
		app.Log.Error("metrics listener failed", "err", err.Error())
	}
	stopWorkers()
	waitTimeout(&wg, cfg.ShutdownTimeout)
	app.Log.Info("multisaude stopped")
	return serveErr
}

func worker(ctx context.Context, args []string, _, stderr io.Writer) error {
	cfg, _, err := loadConfig("worker", args, stderr)
	if err != nil {
		return err
	}
	app, cleanup, err := build(ctx, cfg)
	if err != nil {
		return err
	}
	defer cleanup()
	if err := app.Start(ctx); err != nil {
		return err
	}
	app.Log.Info("multisaude worker running", "profile", cfg.Profile)
	var wg sync.WaitGroup
	app.RunWorkers(ctx, &wg)
	<-ctx.Done()
	waitTimeout(&wg, cfg.ShutdownTimeout)
	return nil
}

func waitTimeout(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}
