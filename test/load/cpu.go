package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// machineCPU is the machine's busy CPU time so far (Linux /proc/stat: all but
// idle and iowait), or 0 where that cannot be read.
func machineCPU() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" {
		return 0
	}
	var busy int64
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return time.Duration(busy) * time.Second / 100 // USER_HZ
}

// procStat reads a process's command name and CPU ticks (user+system, with
// reaped children) from /proc/<pid>/stat.
func procStat(pid string) (comm string, ticks int64) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return "", 0
	}
	i, j := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if i < 0 || j < i {
		return "", 0
	}
	f := strings.Fields(string(b[j+1:]))
	if len(f) < 15 {
		return "", 0
	}
	for _, k := range []int{11, 12, 13, 14} { // utime stime cutime cstime
		n, _ := strconv.ParseInt(f[k], 10, 64)
		ticks += n
	}
	return string(b[i+1 : j]), ticks
}

// pidsNamed lists the processes whose command is name.
func pidsNamed(name string) []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		if comm, _ := procStat(e.Name()); comm == name {
			n, _ := strconv.Atoi(e.Name())
			out = append(out, n)
		}
	}
	return out
}

// processCPU is the CPU time (user+system, with reaped children) of the processes
// whose command is name, or of this process when name is "" (Linux /proc).
func processCPU(name string) time.Duration {
	if name == "" {
		return pidCPU(os.Getpid())
	}
	var total time.Duration
	for _, pid := range pidsNamed(name) {
		total += pidCPU(pid)
	}
	return total
}

// pidCPU is one process's CPU time, 0 when pid is 0 or gone.
func pidCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	_, t := procStat(strconv.Itoa(pid))
	return time.Duration(t) * time.Second / 100
}

// findServer is the server's process: pid when given, else the one process
// named name (0 when none or several).
func findServer(pid int, name string) int {
	if pid > 0 || name == "" {
		return pid
	}
	if ps := pidsNamed(name); len(ps) == 1 {
		return ps[0]
	}
	return 0
}

// cpuSample is the CPU time of the machine and of the processes of interest;
// backends, when known, is the CPU of each PostgreSQL backend serving the
// server's database (by pid).
type cpuSample struct {
	machine, pg, server, self time.Duration
	backends                  map[int]time.Duration
}

// sampleCPU reads the CPU times; with pgURL, also those of the PostgreSQL
// backends connected to pgURL's database (pg_stat_activity through psql), so
// PostgreSQL's share excludes other databases' work on a shared machine.
func sampleCPU(serverPID int, pgURL string) cpuSample {
	s := cpuSample{machine: machineCPU(), pg: processCPU("postgres"), self: processCPU("")}
	if serverPID != os.Getpid() {
		s.server = pidCPU(serverPID)
	}
	if pgURL != "" {
		out, err := exec.Command("psql", pgURL, "-Atc", "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()").Output()
		if err == nil {
			s.backends = map[int]time.Duration{}
			for _, f := range strings.Fields(string(out)) {
				if pid, err := strconv.Atoi(f); err == nil {
					s.backends[pid] = pidCPU(pid)
				}
			}
		}
	}
	return s
}

// sub is the CPU spent between o and s; with backends, pg becomes the CPU of
// the backends seen at either end (one that started since counts in full).
func (s cpuSample) sub(o cpuSample) cpuSample {
	d := cpuSample{machine: s.machine - o.machine, pg: s.pg - o.pg, server: s.server - o.server, self: s.self - o.self}
	if s.backends != nil && o.backends != nil {
		d.backends, d.pg = map[int]time.Duration{}, 0
		for pid, t := range s.backends {
			d.pg += t - o.backends[pid]
		}
	}
	return d
}

// memKB reads VmRSS and VmHWM (KiB) from /proc/<pid>/status.
func memKB(pid int) (rss, hwm int64) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	return rss, hwm
}

// goHeap reads go_memstats_heap_inuse_bytes from a Prometheus /metrics URL (0 when absent).
func goHeap(url string) int64 {
	if url == "" {
		return 0
	}
	res, err := client.Get(url)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "go_memstats_heap_inuse_bytes "); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int64(f)
		}
	}
	return 0
}

// memWatch samples the server's memory every interval until stopped.
type memWatch struct {
	pid               int
	metricsURL        string
	restRSS, restHeap int64
	mu                sync.Mutex
	peakRSS, peakHeap int64
	stop              chan struct{}
	done              chan struct{}
}

func watchMemory(pid int, metricsURL string) *memWatch {
	w := &memWatch{pid: pid, metricsURL: metricsURL, stop: make(chan struct{}), done: make(chan struct{})}
	if pid > 0 {
		w.restRSS, _ = memKB(pid)
	}
	w.restHeap = goHeap(metricsURL)
	go func() {
		defer close(w.done)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
			var rss int64
			if pid > 0 {
				rss, _ = memKB(pid)
			}
			heap := goHeap(metricsURL)
			w.mu.Lock()
			w.peakRSS, w.peakHeap = max(w.peakRSS, rss), max(w.peakHeap, heap)
			w.mu.Unlock()
		}
	}()
	return w
}

// report stops sampling and prints the figures.
func (w *memWatch) report(out io.Writer) {
	close(w.stop)
	<-w.done
	if w.pid <= 0 {
		fmt.Fprintln(out, "server memory: not measured (no -server-pid, and no single process named -server-name)")
		return
	}
	_, hwm := memKB(w.pid)
	mib := func(kb int64) float64 { return float64(kb) / 1024 }
	fmt.Fprintf(out, "server memory (pid %d): RSS at rest %.0f MiB, peak during the load %.0f MiB (sampled every 200 ms; VmHWM %.0f MiB)",
		w.pid, mib(w.restRSS), mib(w.peakRSS), mib(hwm))
	if w.restHeap > 0 || w.peakHeap > 0 {
		fmt.Fprintf(out, "; Go heap in use at rest %.0f MiB, peak %.0f MiB", float64(w.restHeap)/(1<<20), float64(w.peakHeap)/(1<<20))
	}
	fmt.Fprintln(out)
}

// printCPU prints the CPU spent per answered request, split by process.
func printCPU(out io.Writer, what string, n int64, d cpuSample, elapsed time.Duration, cores int, serverPID int) {
	if d.machine <= 0 || n == 0 {
		return
	}
	per := func(x time.Duration) float64 { return x.Seconds() * 1e6 / float64(n) }
	server := "server in this process"
	if serverPID != os.Getpid() {
		server = "server not found"
		if serverPID > 0 {
			server = fmt.Sprintf("server %.0f µs", per(d.server))
		}
	}
	pg := "PostgreSQL (every database)"
	if d.backends != nil {
		pg = "PostgreSQL (the server's backends)"
	}
	fmt.Fprintf(out, "machine CPU per %s: %.0f µs (busy %.1f of %.1f core-seconds): %s %.0f µs, %s, this tool %.0f µs, the rest (kernel, others) %.0f µs\n",
		what, per(d.machine), d.machine.Seconds(), elapsed.Seconds()*float64(cores), pg, per(d.pg), server, per(d.self), per(d.machine-d.pg-d.server-d.self))
}
