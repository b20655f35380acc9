package apply

import (
	"context"

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
