package apply

import (
	"context"
	"time"

	"golang.org/x/sync/errgroup"
)

// workers bounds the requests one command has in flight: enough to keep
// an API server busy (a request takes a few milliseconds; the server,
// not the client, is then the limit), few enough that priority and
// fairness never has to queue them.
const workers = 16

// concurrently runs fn on every input, workers at a time, and returns the
// outputs in the inputs' order. After an error the outputs of the calls
// that finished are still there (the rest are zero); the first error is
// returned and the calls not yet started see a cancelled context.
func concurrently[In, Out any](ctx context.Context, in []In, fn func(context.Context, In) (Out, error)) ([]Out, error) {
	out := make([]Out, len(in))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i, v := range in {
		g.Go(func() (err error) {
			out[i], err = fn(gctx, v)
			return err
		})
	}
	return out, g.Wait()
}

// requestTimeout bounds one request that an interrupt does not cut off.
const requestTimeout = time.Minute

// uncut runs one request that changes the cluster to its end even when ctx
// is cancelled, after checking that ctx still allows it to start. Cutting
// such a request off mid-flight makes the API server leak: a Service
// DELETE whose client is gone commits but skips releasing its nodePort,
// which then stays allocated, to no Service, until the server's repair
// loop frees it minutes later (seen under Ctrl-C of a stop, not only
// kill -9). An interrupt therefore stops the requests not yet sent and
// lets those in flight, a few milliseconds each, finish.
func uncut(ctx context.Context, request func(context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), requestTimeout)
	defer cancel()
	return request(ctx)
}
