package apply

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
)

// UnreachableAfter is how long the API server may fail every request in a
// row before a wait gives up on it (rather than retrying for the whole
// timeout).
const UnreachableAfter = 30 * time.Second

const probeEvery = time.Second

// probeTimeout bounds one probe: a hung server (a stopped process whose
// kernel still accepts connections) never answers, and an unbounded probe
// would hold the clock that UnreachableAfter is counted on.
const probeTimeout = 2 * time.Second

// NotAPIServerError: the kubeconfig's server answers, but not as a
// Kubernetes API server.
type NotAPIServerError struct {
	Host string
	Err  error
}

func (e *NotAPIServerError) Error() string {
	return fmt.Sprintf("%s is not a Kubernetes API server (GET /version: %v); check the kubeconfig's server and context", e.Host, e.Err)
}

// UnreachableError: the API server stopped answering.
type UnreachableError struct {
	Host string
	For  time.Duration
	Err  error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("the API server %s has been unreachable for %s (%v); nothing more can be done or checked until it is back", e.Host, e.For.Round(time.Second), e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// serverProbe asks the API server for its version: a cheap request any
// Kubernetes API server answers to anyone.
func serverProbe(cfg *rest.Config, dc discovery.DiscoveryInterface) func() error {
	return func() error {
		ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
		defer cancel()
		_, err := dc.RESTClient().Get().AbsPath("/version").Do(ctx).Raw()
		if apierrors.IsNotFound(err) {
			return &NotAPIServerError{Host: cfg.Host, Err: err}
		}
		return err
	}
}

// reachable reports whether an error came from a server that answered
// (any API status), as opposed to the network failing.
func reachable(err error) bool {
	var status apierrors.APIStatus
	return err == nil || errors.As(err, &status)
}

// watchServer cancels ctx with an UnreachableError once the API server
// has failed every probe for UnreachableAfter.
func (a *Applier) watchServer(ctx context.Context, cancel context.CancelCauseFunc, host string) {
	var failingSince time.Time
	tick := time.NewTicker(probeEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		start := time.Now()
		err := a.probe()
		switch {
		case reachable(err):
			failingSince = time.Time{}
			continue
		case failingSince.IsZero():
			// The outage began no later than the probe that found it.
			failingSince = start
		}
		if time.Since(failingSince) >= UnreachableAfter {
			cancel(&UnreachableError{Host: host, For: time.Since(failingSince), Err: err})
			return
		}
	}
}
