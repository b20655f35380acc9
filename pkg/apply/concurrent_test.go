package apply

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestConcurrentlyKeepsOrderAndBoundsWorkers(t *testing.T) {
	t.Parallel()
	in := make([]int, 100)
	for i := range in {
		in[i] = i
	}
	var running, most atomic.Int32
	out, err := concurrently(context.Background(), in, func(_ context.Context, v int) (int, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(time.Millisecond)
		return v * 2, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range out {
		if v != 2*i {
			t.Fatalf("out[%d] = %d, want %d", i, v, 2*i)
		}
	}
	if m := most.Load(); m > workers || m < 2 {
		t.Errorf("%d calls ran at once, want between 2 and %d", m, workers)
	}
}

func TestConcurrentlyReturnsTheErrorAndWhatFinished(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	out, err := concurrently(context.Background(), []int{1, 2, 3}, func(_ context.Context, v int) (string, error) {
		if v == 2 {
			return "", boom
		}
		return "ok", nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if out[1] != "" || len(out) != 3 {
		t.Errorf("out = %q: the failed call's slot should be empty", out)
	}
}

func TestUncutFinishesARequestInFlight(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	err := uncut(ctx, func(ctx context.Context) error {
		cancel() // an interrupt while the request is in flight
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
			return nil
		}
	})
	if err != nil {
		t.Errorf("a request in flight was cut off by the interrupt: %v", err)
	}
	ran := false
	err = uncut(ctx, func(context.Context) error { ran = true; return nil })
	if ran || !errors.Is(err, context.Canceled) {
		t.Errorf("after the interrupt a request was sent (%v) or the error is not the cancellation: %v", ran, err)
	}
}
