package cmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/render"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// DeployOptions are the inputs of "kubectl stack deploy".
type DeployOptions struct {
	*GlobalOptions
	DeploymentDir string
	Wait          bool
	Timeout       time.Duration
	DryRun        string
	Images        map[string]string
	// SkipClusterManagement leaves the kind cluster's lifecycle alone: it
	// must be running; its mounts are still checked and images loaded.
	SkipClusterManagement bool
	// KindNodeImage is the node image of a kind cluster deploy creates.
	KindNodeImage string
	// Getenv reads the registry token variable; tests replace it.
	Getenv func(string) string

	d       *deployment.Deployment
	objects []*unstructured.Unstructured
	result  *apply.Result
}

// NewDeployOptions returns DeployOptions with their defaults.
func NewDeployOptions(g *GlobalOptions) *DeployOptions {
	return &DeployOptions{GlobalOptions: g, Wait: true, Timeout: 5 * time.Minute, DryRun: "none", Getenv: os.Getenv}
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
  kubectl stack deploy -d ./my-deployment --dry-run=client`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	f := cmd.Flags()
	addDeploymentDirFlag(cmd, &o.DeploymentDir)
	f.BoolVar(&o.Wait, "wait", o.Wait, "If true, wait until every object is ready.")
	f.DurationVar(&o.Timeout, "timeout", o.Timeout, "How long to wait for readiness.")
	f.StringVar(&o.DryRun, "dry-run", o.DryRun, `"client" prints the objects without contacting the cluster; "server" asks the API server what each apply would do; neither writes anything.`)
	f.StringToStringVar(&o.Images, "image", o.Images, "Replace a container's image: container=image (repeatable).")
	f.BoolVar(&o.SkipClusterManagement, "skip-cluster-management", o.SkipClusterManagement, "If true, do not create the kind cluster: it must be running (k8s-kind only; mounts are still checked).")
	f.StringVar(&o.KindNodeImage, "kind-node-image", o.KindNodeImage, "Node image of the kind cluster, if deploy creates it (default: the spec's kind-node-image, else kind's default).")
	return cmd
}

// Complete loads and renders the deployment and builds the pull secret, so
// that every input error surfaces before anything is written.
func (o *DeployOptions) Complete(c *cobra.Command, args []string) error {
	var err error
	o.d, o.objects, err = prepare(c, o.GlobalOptions, o.DeploymentDir, o.Images, o.Getenv)
	return err
}

// prepare loads a deployment, renders and builds it, adds the pull secret
// (unless getenv is nil: kind load needs no token) and selects the kind
// context: everything deploy and diff need before they talk to the cluster.
func prepare(c *cobra.Command, g *GlobalOptions, dirFlag string, images map[string]string, getenv func(string) string) (*deployment.Deployment, []*unstructured.Unstructured, error) {
	d, err := loadDeployment(c, g, dirFlag)
	if err != nil {
		return nil, nil, err
	}
	res, err := render.Render(d, render.Options{ImageOverrides: images})
	if err != nil {
		return nil, nil, fmt.Errorf("rendering %s: %w", d.Dir, err)
	}
	for _, w := range res.Warnings {
		g.Logger().Warnf("%s", w)
	}
	built, err := render.Build(res)
	if err != nil {
		return nil, nil, err
	}
	objects, err := apply.ReadObjects(built)
	if err != nil {
		return nil, nil, err
	}
	if cred := d.Spec.Credentials(); cred != nil && getenv != nil {
		secret, err := apply.PullSecret(render.PullSecretName(d.Record.DeploymentID), d.Namespace(), render.Labels(d), cred, getenv)
		if err != nil {
			return nil, nil, err
		}
		objects = append(objects, secret)
	}
	return d, objects, nil
}

// request is the apply request for a prepared deployment.
func request(d *deployment.Deployment, objects []*unstructured.Unstructured) apply.Request {
	dir, _ := filepath.Abs(d.Dir)
	return apply.Request{
		Namespace: d.Namespace(), DeploymentDir: dir, DeploymentID: d.Record.DeploymentID,
		Labels: render.Labels(d), Objects: objects,
	}
}

// useKindContext selects kind-<cluster> for a k8s-kind deployment unless
// --context was given.
func useKindContext(g *GlobalOptions, d *deployment.Deployment) {
	if d.Spec.DeployTo != spec.DeployToKind || *g.ConfigFlags.Context != "" {
		return
	}
	*g.ConfigFlags.Context = d.KindContext()
}

// connect builds an applier for the cluster the flags select.
func connect(g *GlobalOptions) (*apply.Applier, error) {
	cfg, err := g.ConfigFlags.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig: %w", err)
	}
	a, err := apply.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to the cluster: %w", err)
	}
	a.Progress = g.ErrOut
	return a, nil
}

// Validate checks the flags.
func (o *DeployOptions) Validate() error {
	switch o.DryRun {
	case "none", "client", "server":
		return nil
	}
	return errors.New(`--dry-run must be "none", "client" or "server"`)
}

// Run applies.
func (o *DeployOptions) Run(c *cobra.Command) error {
	log := o.Logger()
	if o.DryRun == "client" {
		for _, obj := range o.objects {
			fmt.Fprintf(o.Out, "%s/%s/%s (dry run)\n", obj.GetKind(), obj.GetNamespace(), obj.GetName())
		}
		return nil
	}
	if o.d.Spec.DeployTo == spec.DeployToKind {
		if err := o.prepareKind(c); err != nil {
			return fmt.Errorf("refusing to deploy %s: %w", o.d.Dir, err)
		}
	} else if o.DryRun == "none" {
		if err := requirePushed(c, o.GlobalOptions, o.d, apply.Images(o.objects), o.Getenv); err != nil {
			return fmt.Errorf("refusing to deploy %s: %w", o.d.Dir, err)
		}
	}
	a, err := connect(o.GlobalOptions)
	if err != nil {
		return err
	}
	if o.d.Spec.DeployTo == spec.DeployToKind && o.DryRun == "none" {
		if err := ensureRuntimeClass(c, a, o.d); err != nil {
			return err
		}
	}
	req := request(o.d, o.objects)
	req.Wait, req.Timeout = o.Wait, o.Timeout
	if o.DryRun == "server" {
		changes, err := a.Diff(c.Context(), req)
		if err != nil {
			return fmt.Errorf("dry run of %s: %w", o.d.Dir, err)
		}
		for _, ch := range changes {
			fmt.Fprintf(o.Out, "%s %s (server dry run)\n", ch.Subject, ch.Action)
		}
		return nil
	}
	res, err := a.Deploy(c.Context(), req)
	o.result = res
	var interrupted *apply.InterruptedError
	if errors.As(err, &interrupted) {
		next := "kubectl stack deploy -d " + o.d.Dir + " (it converges: what is applied stays, the rest is applied)"
		if interrupted.Applied {
			next = "kubectl stack status -d " + o.d.Dir + " to see readiness, or kubectl stack deploy -d " + o.d.Dir + " to wait again"
		}
		return fmt.Errorf("deploying %s: %w; run %s", o.d.Dir, interrupted, next)
	}
	if err != nil {
		return fmt.Errorf("deploying %s: %w", o.d.Dir, err)
	}
	if !res.Changed() {
		log.Infof("nothing changed: the cluster already matches %s", o.d.Dir)
	}
	return nil
}

// prepareKind makes the kind cluster ready for the objects: created unless
// --skip-cluster-management (or a server dry run, which writes nothing, or
// a --context naming another cluster), its mounts checked (data safety:
// PVs must not fall through to the node's own disk), and the locally built
// images loaded.
func (o *DeployOptions) prepareKind(c *cobra.Command) error {
	k, err := newKindCluster(o.GlobalOptions, o.d)
	if err != nil {
		return err
	}
	if o.DryRun != "none" || !k.targeted() {
		// Nothing is written to this kind cluster: only check its mounts.
		_, err := k.require(c)
		return err
	}
	running := true
	if o.SkipClusterManagement {
		running, err = k.require(c)
	} else {
		err = k.ensure(c, o.KindNodeImage)
	}
	if err != nil || !running {
		return err
	}
	if err := buildMissing(c, o.GlobalOptions, o.d, apply.Images(o.objects)); err != nil {
		return err
	}
	_, err = k.loadImages(c, apply.Images(o.objects))
	return err
}

// loadDeployment resolves -d (default: the current directory) and loads the
// deployment, selecting the kind context for k8s-kind.
func loadDeployment(c *cobra.Command, g *GlobalOptions, dirFlag string) (*deployment.Deployment, error) {
	dir, err := deployment.ResolveDir(dirFlag)
	if err != nil {
		return nil, err
	}
	d, err := deployment.Load(c.Context(), dir)
	if err != nil {
		return nil, fmt.Errorf("loading deployment %s: %w", dir, err)
	}
	useKindContext(g, d)
	return d, nil
}

// addDeploymentDirFlag adds -d/--deployment-dir, the flag of every
// deployment verb.
func addDeploymentDirFlag(cmd *cobra.Command, dir *string) {
	cmd.Flags().StringVarP(dir, "deployment-dir", "d", *dir, "The deployment directory (default: the current directory if it holds deployment.yml).")
}
