package cluster

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkStartToReadyNode measures a warm start: from nothing to one
// Ready kwok node, and the resident memory of the cluster's processes.
// Run: go test -run '^$' -bench StartToReadyNode -benchtime 3x ./test/cluster/
func BenchmarkStartToReadyNode(b *testing.B) {
	Shared(b)
	binDir, err := BinDir()
	if err != nil {
		b.Fatal(err)
	}
	var rss float64
	for b.Loop() {
		c, err := Start(context.Background(), Options{BinDir: binDir})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		rss = 0
		for _, pid := range c.Pids() {
			rss += float64(residentBytes(pid))
		}
		if err := c.Stop(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(rss/(1<<20), "MiB-rss")
}

// residentBytes reads VmRSS of a process.
func residentBytes(pid int) int64 {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
