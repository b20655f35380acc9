// Package apply puts a rendered deployment on a cluster with server-side
// apply (fluxcd/pkg/ssa, field manager kubectl-stack), keeps an inventory of
// what the deployment owns, prunes what it no longer renders (never volumes)
// and waits for readiness. It is the only user of fluxcd/pkg/ssa and of
// controller-runtime's client.
package apply
