// Package lifecycle runs a deployment's life on its cluster: Deploy (an
// ordered list of steps, one file each), Stop, Restart, Diff, Status and
// the kind operations (CreateKind, DeleteKind, LoadKind, CheckMounts,
// MigratePlan). Each takes a context and a request and returns a result
// that pkg/cmd prints; the rules (the shared-cluster guard, the node-local
// data guard, refusing before any write, what stop may delete, which
// steps run without cluster management or on another context) live here,
// behind small interfaces to the cluster, the kind provider, the container
// engine and git, so that fakes can test them without a cluster.
//
// Errors are typed where pkg/cmd adds a hint naming its flags and verbs;
// this package does not name flags.
package lifecycle
