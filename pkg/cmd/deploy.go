package cmd

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/lifecycle"
	"github.com/kubectl-stack/kubectl-stack/pkg/render"
)

// DeployOptions are the inputs of "kubectl stack deploy".
type DeployOptions struct {
	deploymentVerb
	Wait    bool
	Timeout time.Duration
	// MinReady is --min-ready: how long pods must stay Ready.
	MinReady time.Duration
	DryRun   string
	Images   map[string]string
	// SkipClusterManagement leaves the kind cluster's lifecycle alone: it
	// must be running; its mounts are still checked and images loaded.
	SkipClusterManagement bool
	// KindNodeImage is the node image of a kind cluster deploy creates.
	KindNodeImage string
	// Getenv reads the registry token variable; tests replace it.
	Getenv func(string) string
	// SecretsOnly applies the namespace and the deploy-time Secrets only,
	// for a GitOps pipeline that applies the rendered tree.
	SecretsOnly bool
	// Adopt takes over foreign objects under the deployment's names.
	Adopt bool
	// BreakLock takes the deployment's lock from another command.
	BreakLock bool
	// output is -o: the objects of a client dry run, else what changed.
	output outputFlag
}

// NewDeployOptions returns DeployOptions with their defaults.
func NewDeployOptions(g *GlobalOptions) *DeployOptions {
	return &DeployOptions{deploymentVerb: deploymentVerb{GlobalOptions: g}, Wait: true, Timeout: 5 * time.Minute, MinReady: lifecycle.DefaultMinReady, DryRun: "none", Getenv: os.Getenv}
}

func newCmdDeploy(g *GlobalOptions) *cobra.Command {
	o := NewDeployOptions(g)
	cmd := &cobra.Command{
		Use:     "deploy [-d DIR]",
		Aliases: []string{"start"},
		Short:   "Apply a deployment to its cluster (server-side apply, prune, wait)",
		Long: `Apply a deployment with server-side apply (field manager kubectl-stack): the
same objects render builds, plus the registry pull secret made from
token-env/token-file. The namespace must be free or owned by this deployment
directory (an unannotated one is adopted). Objects the deployment no longer
renders are pruned, except volumes. For deploy-to: k8s-kind the context
kind-<cluster-id> is used unless --context is given.`,
		Example: `  kubectl stack deploy -d ./my-deployment
  kubectl stack deploy -d ./my-deployment --wait=false
  kubectl stack deploy -d ./my-deployment --dry-run=client -o yaml   # the objects, no cluster, no token needed
  kubectl stack deploy -d ./my-deployment --secrets-only   # before Flux or Argo CD applies the rendered tree`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	o.addFlags(cmd)
	addDeployFlags(cmd, o)
	cmd.Flags().BoolVar(&o.SecretsOnly, "secrets-only", o.SecretsOnly, "If true, apply only the namespace (claiming it for this directory) and the Secrets deploy makes (registry pull secret, generated config values, the routes' certificate on kind): what a GitOps pipeline applying the rendered tree cannot. Prunes and waits for nothing.")
	cmd.Flags().StringVar(&o.DryRun, "dry-run", o.DryRun, `"client" (or a bare --dry-run) prints the objects without contacting the cluster, a placeholder for the registry token; "server" asks the API server what each apply would do; neither writes anything.`)
	// As kubectl's: a bare --dry-run is client and takes no argument.
	cmd.Flags().Lookup("dry-run").NoOptDefVal = "client"
	o.output.add(cmd, "a tally table; with --dry-run, one line per object", "json", "yaml")
	return cmd
}

// addDeployFlags adds the flags deploy and restart share.
func addDeployFlags(cmd *cobra.Command, o *DeployOptions) {
	f := cmd.Flags()
	addAllowHooksFlag(f, o.GlobalOptions)
	f.BoolVar(&o.Wait, "wait", o.Wait, "If true, wait until every object is ready.")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "How long to wait for readiness.")
	f.DurationVar(&o.MinReady, "min-ready", o.MinReady, "How long each Deployment's pods must stay Ready, without a container restarting, before the wait counts them ready (as a Deployment's minReadySeconds): a container that crashes soon after it starts fails the deploy instead of passing it. 0 counts pods as soon as they are Ready, as docker compose up --wait does.")
	f.StringToStringVar(&o.Images, "image", o.Images, "Replace a container's image: container=image (repeatable).")
	f.BoolVar(&o.SkipClusterManagement, "skip-cluster-management", o.SkipClusterManagement, "If true, do not create the kind cluster: it must be running (k8s-kind only; mounts are still checked).")
	f.BoolVar(&o.BreakLock, "break-lock", o.BreakLock, "If true, take the deployment's lock from another command that holds it (use when that command is gone).")
	f.BoolVar(&o.Adopt, "adopt", o.Adopt, "If true, take over existing objects under this deployment's names that are someone else's (they are refused otherwise: deploy would rewrite them and stop delete them).")
	f.StringVar(&o.KindNodeImage, "kind-node-image", o.KindNodeImage, "Node image of the kind cluster, if deploy creates it (default: the spec's kind-node-image, else kind's default).")
}

// Complete loads and renders the deployment and builds the pull secret, so
// that every input error surfaces before anything is written. A client dry
// run needs no token: its pull secret holds a placeholder, marked so.
func (o *DeployOptions) Complete(c *cobra.Command, args []string) error {
	getenv := o.Getenv
	if o.DryRun == "client" {
		getenv = func(name string) string { return "<" + name + ": read at deploy time>" }
	}
	var err error
	o.target, err = prepareTarget(c, o.GlobalOptions, o.DeploymentDir, o.Images, getenv)
	if err == nil && o.DryRun == "client" {
		markPlaceholderSecret(o.target)
	}
	return err
}

// Validate checks the flags.
func (o *DeployOptions) Validate() error {
	if err := o.output.Validate(); err != nil {
		return err
	}
	if o.MinReady < 0 {
		return fmt.Errorf("--min-ready must not be negative (got %s)", o.MinReady)
	}
	switch o.DryRun {
	case "none", "client", "server":
		return nil
	}
	return errors.New(`--dry-run must be "none", "client" or "server"`)
}

// request turns the flags into a deploy request.
func (o *DeployOptions) request(t *lifecycle.Target) lifecycle.DeployRequest {
	return lifecycle.DeployRequest{
		Target: t, ServerDryRun: o.DryRun == "server", Wait: o.Wait, Timeout: o.Timeout, MinReady: o.MinReady,
		SkipClusterManagement: o.SkipClusterManagement, KindNodeImage: o.KindNodeImage, Getenv: o.Getenv,
		SecretsOnly: o.SecretsOnly, Adopt: o.Adopt, BreakLock: o.BreakLock,
	}
}

// Run deploys (a client dry run only prints the objects) and reports.
func (o *DeployOptions) Run(c *cobra.Command) error {
	if o.DryRun == "client" {
		return printObjects(o.Out, o.output.Output, o.target.Objects)
	}
	res, err := o.lifecycle().Deploy(c.Context(), o.request(o.target))
	if err != nil {
		return interruptHint(err, o.target.Dir())
	}
	return printDeployResult(o.GlobalOptions, &o.output, o.target, res)
}

// printDeployResult prints what a deploy changed: its tally table, the
// server dry run's lines, or with -o json|yaml a changeReport.
func printDeployResult(g *GlobalOptions, output *outputFlag, t *lifecycle.Target, res *lifecycle.DeployResult) error {
	rep := newChangeReport(res.Applied)
	if res.Applied == nil {
		rep = dryRunReport(res.DryRun)
	}
	if done, err := output.print(g.Out, rep); done {
		return err
	}
	for _, ch := range res.DryRun {
		fmt.Fprintf(g.Out, "%s %s (server dry run)\n", ch.Subject, ch.Action)
	}
	if res.Applied == nil {
		return nil
	}
	if !res.Applied.Changed() {
		g.Logger().Infof("nothing changed: the cluster already matches %s", t.Dir())
	}
	return printTally(g.Out, res.Applied.Tally(), applyColumns...)
}

// PlaceholderAnnotation marks the pull secret of a client dry run: its
// token is a placeholder, the real one is read at deploy time.
const PlaceholderAnnotation = "kubectl-stack.io/placeholder"

func markPlaceholderSecret(t *lifecycle.Target) {
	name := render.PullSecretName(t.Deployment.Record.DeploymentID)
	for _, o := range t.Objects {
		if o.GetKind() == "Secret" && o.GetName() == name {
			ann := o.GetAnnotations()
			if ann == nil {
				ann = map[string]string{}
			}
			ann[PlaceholderAnnotation] = "the registry token is a placeholder in a client dry run; deploy reads it from the environment"
			o.SetAnnotations(ann)
		}
	}
}
