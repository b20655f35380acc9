package cmd

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/lifecycle"
)

// RestartOptions are the inputs of "kubectl stack restart".
type RestartOptions struct {
	// DeployOptions holds the flags restart shares with deploy.
	*DeployOptions
	SpecFile  string
	StackPath string
	Force     bool

	dir    string
	record *deployment.Record
}

// NewRestartOptions returns RestartOptions with its defaults (the options of "kubectl stack restart").
func NewRestartOptions(g *GlobalOptions) *RestartOptions {
	return &RestartOptions{DeployOptions: NewDeployOptions(g)}
}

func newCmdRestart(g *GlobalOptions) *cobra.Command {
	o := NewRestartOptions(g)
	cmd := &cobra.Command{
		Use: "restart [-d DIR] [--spec-file F] [--stack-path P] [--image c=i]... [--force]",
		Example: `  kubectl stack restart -d ./my-deployment
  kubectl stack restart -d ./my-deployment --spec-file ops/prod/spec.yml
  kubectl stack restart -d ./my-deployment --force   # roll every pod even if nothing changed`,
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
	addDeployFlags(cmd, o.DeployOptions)
	f := cmd.Flags()
	f.StringVar(&o.SpecFile, "spec-file", o.SpecFile, "The spec to use, relative to the root of the stack's git repository.")
	f.StringVar(&o.StackPath, "stack-path", o.StackPath, "The stack checkout to pull (default: stack-source in deployment.yml).")
	f.BoolVar(&o.Force, "force", o.Force, "If true, roll every Deployment even when nothing changed.")
	o.output.add(cmd, "a summary and a tally table", "json", "yaml")
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

// Validate checks -o and that there is a stack source.
func (o *RestartOptions) Validate() error {
	if err := o.output.Validate(); err != nil {
		return err
	}
	if o.StackPath == "" && o.record.StackSource == "" {
		return fmt.Errorf("%s records no stack-source; pass --stack-path", filepath.Join(o.dir, deployment.DeploymentFile))
	}
	return nil
}

// Run pulls, re-syncs and deploys, then prints a summary on stdout.
func (o *RestartOptions) Run(c *cobra.Command) error {
	res, err := o.lifecycle().Restart(c.Context(), lifecycle.RestartRequest{
		Dir: o.dir, Record: o.record, StackPath: o.StackPath, SpecFile: o.SpecFile, ForceRoll: o.Force,
		Prepare: lifecycle.PrepareRequest{
			LoadRequest: lifecycle.LoadRequest{Context: *o.ConfigFlags.Context},
			Images:      o.Images, Getenv: o.Getenv,
		},
		Deploy: o.request(nil),
	})
	if err != nil {
		return interruptHint(err, o.dir)
	}
	return o.summary(res)
}

func (o *RestartOptions) summary(res *lifecycle.RestartResult) error {
	var tally apply.Tally
	if a := res.Deploy.Applied; a != nil {
		tally = a.Tally()
	}
	files := 0
	if up := res.Update; up != nil {
		files = len(up.Added) + len(up.Changed) + len(up.Removed)
	}
	rep := newChangeReport(res.Deploy.Applied)
	rep.Commits, rep.FilesChanged = res.Pulled, &files
	if done, err := o.output.print(o.Out, rep); done {
		return err
	}
	pulled := res.Pulled
	if pulled == "" {
		pulled = "(not a git checkout)"
	}
	if _, err := fmt.Fprintf(o.Out, "commits: %s\nfiles changed in %s: %d\nobjects changed: %d\nDeployments rolled: %d\n", pulled, o.dir, files, tally.Changed(), tally.Rolled); err != nil {
		return err
	}
	if res.Deploy.Applied == nil {
		return nil
	}
	fmt.Fprintln(o.Out)
	return printTally(o.Out, tally, applyColumns...)
}
