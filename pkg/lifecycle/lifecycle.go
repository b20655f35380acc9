package lifecycle

import (
	"context"
	"io"

	"github.com/kubectl-stack/kubectl-stack/pkg/log"
)

// Lifecycle runs the operations with one set of collaborators. The
// connections are opened when an operation needs them, so that a refusal
// or a dry run never waits for a cluster or an engine it does not use.
type Lifecycle struct {
	Log *log.Logger
	// AllowHooks runs the deployment's hooks whether or not spec.yml
	// records their digests (--allow-hooks).
	AllowHooks bool
	// Progress receives the container engine's build and push output.
	Progress io.Writer
	// Connect opens the cluster of a kubeconfig context ("" is the
	// kubeconfig's current context).
	Connect func(kubeContext string) (Cluster, error)
	// Kind opens the kind provider.
	Kind func() (KindProvider, error)
	// Engine connects to the local container engine.
	Engine func(ctx context.Context) (Engine, error)
	Git    Git
	// Kubeconfig is the file kind adds its contexts to and removes them
	// from ("" is kind's default).
	Kubeconfig string
	// Executable is the plugin's own executable, from which deploy makes
	// the copy-up image on kind; "" when the running program is not the
	// plugin (a test), where that image must exist already.
	Executable string
	// DataDir holds kubectl-stack's state on this host: the local CA of
	// each kind cluster (kind/<cluster>/ca), which must outlive clusters.
	DataDir string
}
