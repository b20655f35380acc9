package log

import (
	"bytes"
	"testing"
)

func TestVerbosity(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := New(&buf, 1)
	l.Infof("status %d", 0)
	l.V(1).Infof("debug")
	l.V(2).Infof("detail")
	l.Warnf("careful")
	want := "status 0\ndebug\nwarning: careful\n"
	if buf.String() != want {
		t.Errorf("log output = %q, want %q", buf.String(), want)
	}
	if l.V(2).Enabled() || !l.V(1).Enabled() {
		t.Error("Enabled() does not follow the verbosity")
	}
}
