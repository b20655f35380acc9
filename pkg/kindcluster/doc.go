// Package kindcluster is kubectl-stack's only user of sigs.k8s.io/kind: it
// writes kind cluster configs for deployments and talks to kind's provider.
package kindcluster
