package cmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/gitrepo"
)

// RestartOptions are the inputs of "kubectl stack restart".
type RestartOptions struct {
	*GlobalOptions
	DeploymentDir string
	SpecFile      string
	StackPath     string
	Force         bool

	deploy *DeployOptions
	dir    string
	record *deployment.Record
}

// NewRestartOptions returns RestartOptions with its defaults (the options of "kubectl stack restart").
func NewRestartOptions(g *GlobalOptions) *RestartOptions {
	return &RestartOptions{GlobalOptions: g, deploy: NewDeployOptions(g)}
}

func newCmdRestart(g *GlobalOptions) *cobra.Command {
	o := NewRestartOptions(g)
	cmd := &cobra.Command{
		Use:   "restart [-d DIR] [--spec-file F] [--stack-path P] [--image c=i]... [--force]",
		Short: "Pull the stack, re-sync the deployment from the git-tracked spec, deploy",
		Long: `The GitOps update: git pull --ff-only in the stack's checkout, choose the spec
(--spec-file relative to the repository root, else the spec the deployment was
created from, else D/spec.yml; never regenerated defaults), re-sync D as
create --update does, and deploy. Pods roll when their rendered template or
a ConfigMap they mount changed; --force rolls every Deployment.`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	addDeploymentDirFlag(cmd, &o.DeploymentDir)
	f := cmd.Flags()
	f.StringVar(&o.SpecFile, "spec-file", o.SpecFile, "The spec to use, relative to the root of the stack's git repository.")
	f.StringVar(&o.StackPath, "stack-path", o.StackPath, "The stack checkout to pull (default: stack-source in deployment.yml).")
	f.BoolVar(&o.Force, "force", o.Force, "If true, roll every Deployment even when nothing changed.")
	f.StringToStringVar(&o.deploy.Images, "image", o.deploy.Images, "Replace a container's image: container=image (repeatable).")
	f.BoolVar(&o.deploy.Wait, "wait", o.deploy.Wait, "If true, wait until every object is ready.")
	f.DurationVar(&o.deploy.Timeout, "timeout", o.deploy.Timeout, "How long to wait for readiness.")
	f.BoolVar(&o.deploy.SkipClusterManagement, "skip-cluster-management", o.deploy.SkipClusterManagement, "If true, the kind cluster must be running; it is not created (k8s-kind only).")
	return cmd
}

// Complete reads the deployment record.
func (o *RestartOptions) Complete(c *cobra.Command, args []string) error {
	dir, err := deployment.ResolveDir(o.DeploymentDir)
	if err != nil {
		return err
	}
	o.dir = dir
	o.record, err = deployment.ReadRecord(dir)
	return err
}

// Validate checks that there is a stack source.
func (o *RestartOptions) Validate() error {
	if o.StackPath == "" && o.record.StackSource == "" {
		return fmt.Errorf("%s records no stack-source; pass --stack-path", filepath.Join(o.dir, deployment.DeploymentFile))
	}
	return nil
}

// Run pulls, re-syncs and deploys, then prints a summary on stdout.
func (o *RestartOptions) Run(c *cobra.Command) error {
	log := o.Logger()
	source := o.StackPath
	if source == "" {
		source = o.record.StackSource
	}
	info, err := os.Stat(source)
	switch {
	case errors.Is(err, os.ErrNotExist) && o.StackPath != "":
		return fmt.Errorf("--stack-path %s does not exist; pass the stack checkout's path", source)
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("the stack source %s (stack-source in %s) does not exist: restore the checkout there, or pass --stack-path with its new location", source, filepath.Join(o.dir, deployment.DeploymentFile))
	case err != nil:
		return fmt.Errorf("reading the stack source: %w", err)
	case !info.IsDir():
		source = filepath.Dir(source) // a plain compose stack
	}
	pulled, repo, err := o.pull(c, source)
	if err != nil {
		return err
	}
	specPath, err := o.chooseSpec(repo)
	if err != nil {
		return err
	}
	log.Infof("re-syncing %s from %s", o.dir, specPath)
	res, err := deployment.Create(c.Context(), deployment.CreateOptions{SpecPath: specPath, Dir: o.dir, Update: true})
	if err != nil {
		return fmt.Errorf("re-syncing %s: %w", o.dir, err)
	}
	o.deploy.DeploymentDir = o.dir
	if err := o.deploy.Complete(c, nil); err != nil {
		return err
	}
	if o.Force {
		forceRoll(o.deploy, time.Now())
	}
	if err := o.deploy.Run(c); err != nil {
		return err
	}
	return o.summary(pulled, res.Update)
}

// pull fast-forwards the stack's checkout, warning about uncommitted files
// (they are deployed as they are on disk). It returns "old..new" and the
// repository root ("" when the stack is not in git).
func (o *RestartOptions) pull(c *cobra.Command, source string) (string, string, error) {
	log := o.Logger()
	info, ok := gitrepo.Describe(c.Context(), source)
	if !ok {
		log.Warnf("the stack at %s is not a git checkout: deploying it as it is on disk", source)
		return "", "", nil
	}
	if dirty, err := gitrepo.Uncommitted(c.Context(), source); err == nil && len(dirty) > 0 {
		log.Warnf("uncommitted changes in %s will be deployed as they are on disk:\n  %s", info.Root, strings.Join(dirty, "\n  "))
	}
	before, after, err := gitrepo.Pull(c.Context(), source)
	if err != nil {
		return "", "", err
	}
	if before == after {
		log.Infof("%s is up to date at %s", info.Root, short(after))
	} else {
		log.Infof("pulled %s: %s..%s", info.Root, short(before), short(after))
	}
	return short(before) + ".." + short(after), info.Root, nil
}

// chooseSpec picks --spec-file (relative to the repository root), else the
// spec the deployment was created from, else D/spec.yml.
func (o *RestartOptions) chooseSpec(repo string) (string, error) {
	if o.SpecFile != "" {
		p := o.SpecFile
		if !filepath.IsAbs(p) && repo != "" {
			p = filepath.Join(repo, p)
		}
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("--spec-file %s: %w", o.SpecFile, err)
		}
		return p, nil
	}
	if s := o.record.SpecSource; s != "" {
		if _, err := os.Stat(s); err == nil {
			return s, nil
		}
		o.Logger().Warnf("the spec the deployment was created from, %s, is gone; using %s", s, filepath.Join(o.dir, deployment.SpecFile))
	}
	return filepath.Join(o.dir, deployment.SpecFile), nil
}

func (o *RestartOptions) summary(pulled string, up *deployment.UpdateResult) error {
	changed, rolled := 0, 0
	if r := o.deploy.result; r != nil {
		changed, rolled = r.Counts()
	}
	files := 0
	if up != nil {
		files = len(up.Added) + len(up.Changed) + len(up.Removed)
	}
	if pulled == "" {
		pulled = "(not a git checkout)"
	}
	_, err := fmt.Fprintf(o.Out, "commits: %s\nfiles changed in %s: %d\nobjects changed: %d\nDeployments rolled: %d\n", pulled, o.dir, files, changed, rolled)
	return err
}

// forceRoll stamps every Deployment's pod template, as kubectl rollout
// restart does, so that all pods are replaced.
func forceRoll(d *DeployOptions, now time.Time) {
	for _, obj := range d.objects {
		if obj.GetKind() != "Deployment" {
			continue
		}
		annotations, _, _ := unstructured.NestedStringMap(obj.Object, "spec", "template", "metadata", "annotations")
		if annotations == nil {
			annotations = map[string]string{}
		}
		annotations["kubectl.kubernetes.io/restartedAt"] = now.UTC().Format(time.RFC3339)
		_ = unstructured.SetNestedStringMap(obj.Object, annotations, "spec", "template", "metadata", "annotations")
	}
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}
