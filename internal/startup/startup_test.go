package startup

import (
	"os"
	"runtime/debug"
	"strconv"
	"testing"
)

func TestTheCollectorIsOffUntilDone(t *testing.T) {
	if was := debug.SetGCPercent(-1); was != -1 {
		t.Fatalf("after the package's init the collector is at %d%%, want off (-1)", was)
	}
	want := 100 // GOGC's default
	if v, err := strconv.Atoi(os.Getenv("GOGC")); err == nil {
		want = v
	}
	if percent != want {
		t.Errorf("the setting kept for Done is %d%%, want GOGC's %d%%", percent, want)
	}
	Done()
	if now := debug.SetGCPercent(100); now != want {
		t.Errorf("after Done the collector is at %d%%, want %d%%", now, want)
	}
}
