// Package e2e holds the end-to-end tests that need real containers: kind
// clusters on a real Docker engine, created and deleted through
// kubectl-stack's own code, running the example stack's images built from
// the Go sources in examples/. They run one after another (clusters bind
// host ports 80 and 443), after the other packages' tests (hack/test.sh),
// so that no fake kind node of another package is running.
package e2e
