package cmd

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

func TestFirstInterruptCancelsSecondExits(t *testing.T) {
	t.Parallel()
	sigs := make(chan os.Signal, 2)
	exited := make(chan int, 1)
	var out testutil.SyncBuffer
	ctx, stop := WithInterrupts(context.Background(), sigs, &out, func(code int) { exited <- code })
	defer stop()
	sigs <- os.Interrupt
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the first interrupt did not cancel the context")
	}
	select {
	case code := <-exited:
		t.Fatalf("exited (%d) after one interrupt", code)
	case <-time.After(100 * time.Millisecond):
	}
	sigs <- os.Interrupt
	select {
	case code := <-exited:
		if code != InterruptExitCode {
			t.Errorf("exit code %d, want %d", code, InterruptExitCode)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the second interrupt did not exit")
	}
	if got := out.String(); !bytes.Contains([]byte(got), []byte("interrupt again to exit at once")) {
		t.Errorf("stderr = %q", got)
	}
}

func TestStopEndsTheWatch(t *testing.T) {
	t.Parallel()
	sigs := make(chan os.Signal, 2)
	ctx, stop := WithInterrupts(context.Background(), sigs, &testutil.SyncBuffer{}, func(int) { t.Error("exit called") })
	stop()
	if ctx.Err() == nil {
		t.Error("stop did not cancel the context")
	}
	sigs <- os.Interrupt // nobody listens any more: nothing happens
	time.Sleep(50 * time.Millisecond)
}
