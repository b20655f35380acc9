package cmd

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/hooks"
	"github.com/kubectl-stack/kubectl-stack/pkg/kindcluster"
	"github.com/kubectl-stack/kubectl-stack/pkg/render"
)

// CreateOptions are the inputs of "kubectl stack create".
type CreateOptions struct {
	*GlobalOptions
	SpecFile      string
	DeploymentDir string
	Update        bool
	output        outputFlag
	// ListClusters lists running kind clusters; tests replace it.
	ListClusters func() ([]string, error)
}

// NewCreateOptions returns CreateOptions with their defaults.
func NewCreateOptions(g *GlobalOptions) *CreateOptions {
	return &CreateOptions{GlobalOptions: g, ListClusters: kindcluster.ListClusters}
}

func newCmdCreate(g *GlobalOptions) *cobra.Command {
	o := NewCreateOptions(g)
	cmd := &cobra.Command{
		Use:   "create --spec-file spec.yml --deployment-dir DIR [--update]",
		Short: "Create a deployment directory from a spec and its stack",
		Long: `Create a deployment directory from a spec.yml and the stack it names:
the spec, the stack's compose files and config, deployment.yml with a
cluster-id (the kind cluster to join) and a fresh deployment-id (the prefix
of every object name), and kind-config.yml for k8s-kind.

Everything is validated first; a failed create writes nothing.
With --update, an existing directory is re-synced from the spec and the
stack: deployment.yml and data/ are not touched, files the stack no longer
has are removed, and the old content of every replaced or edited file is
kept in .kubectl-stack-backups/<time>/. The update is staged and switched
in with a journal of renames: an interrupted one is finished by the next.`,
		Example: `  kubectl stack create --spec-file spec.yml --deployment-dir ./my-deployment
  kubectl stack create --spec-file spec.yml --deployment-dir ./my-deployment --update`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	f := cmd.Flags()
	addAllowHooksFlag(f, o.GlobalOptions)
	f.StringVar(&o.SpecFile, "spec-file", o.SpecFile, "The spec.yml to create the deployment from.")
	f.StringVarP(&o.DeploymentDir, "deployment-dir", "d", o.DeploymentDir, "The deployment directory to create.")
	f.BoolVar(&o.Update, "update", o.Update, "If true, re-sync an existing deployment directory instead of creating one.")
	o.output.add(cmd, "the directory's path", "json", "yaml")
	_ = cmd.MarkFlagFilename("spec-file", "yml", "yaml")
	_ = cmd.MarkFlagDirname("deployment-dir")
	return cmd
}

// Complete has nothing to resolve: create reads its inputs in Run.
func (o *CreateOptions) Complete(c *cobra.Command, args []string) error { return nil }

// Validate checks the flags.
func (o *CreateOptions) Validate() error {
	var errs []error
	if o.SpecFile == "" {
		errs = append(errs, errors.New("--spec-file is required (write one with kubectl stack init)"))
	}
	if o.DeploymentDir == "" {
		errs = append(errs, errors.New("--deployment-dir is required: the directory to create"))
	}
	errs = append(errs, o.output.Validate())
	return errors.Join(errs...)
}

// Run creates or updates the deployment directory.
func (o *CreateOptions) Run(c *cobra.Command) error {
	log := o.Logger()
	res, err := deployment.Create(c.Context(), deployment.CreateOptions{
		SpecPath: o.SpecFile, Dir: o.DeploymentDir, Update: o.Update, ListClusters: o.ListClusters,
	})
	if err != nil {
		verb := "creating"
		if o.Update {
			verb = "updating"
		}
		return fmt.Errorf("%s deployment %s: %w", verb, o.DeploymentDir, err)
	}
	t, err := loadTarget(c, o.GlobalOptions, res.Dir)
	if err != nil {
		return err
	}
	// Everything render and deploy will say about this input is said now,
	// while the spec and the stack can still be changed.
	warnings, renderErr := withRenderWarnings(res.Warnings, t.Deployment)
	for _, w := range warnings {
		log.Warnf("%s", w)
	}
	if renderErr != nil {
		return fmt.Errorf("created %s, but it does not render: %w; correct the spec or the stack, then run kubectl stack create --update", res.Dir, renderErr)
	}
	if note := freshVolumesNote(t.Deployment); note != "" {
		log.Infof("%s", note)
	}
	if err := o.lifecycle().RunHook(c.Context(), t, hooks.Create); err != nil {
		return err
	}
	if res.Update != nil {
		u := res.Update
		if len(u.Added)+len(u.Changed)+len(u.Removed)+len(u.KeptEdited) == 0 {
			log.Infof("%s is up to date with the spec and the stack", res.Dir)
			return nil
		}
		log.Infof("updated %s: %d added, %d changed, %d removed, %d edited files removed", res.Dir, len(u.Added), len(u.Changed), len(u.Removed), len(u.KeptEdited))
		if u.Backups != "" {
			log.Infof("the replaced and edited files are kept in %s", u.Backups)
		}
		for _, f := range u.Removed {
			log.V(1).Infof("removed %s", f)
		}
		return nil
	}
	log.Infof("created %s (cluster-id %s, deployment-id %s)", res.Dir, res.Record.ClusterID, res.Record.DeploymentID)
	report := createReport{Dir: res.Dir, ClusterID: res.Record.ClusterID, DeploymentID: res.Record.DeploymentID, Warnings: warnings}
	if done, err := o.output.print(o.Out, report); done {
		return err
	}
	_, err = fmt.Fprintln(o.Out, res.Dir)
	return err
}

// createReport is what create -o json|yaml prints.
type createReport struct {
	Dir          string   `json:"dir"`
	ClusterID    string   `json:"clusterID"`
	DeploymentID string   `json:"deploymentID"`
	Warnings     []string `json:"warnings"`
}

// withRenderWarnings adds to create's warnings those rendering the new
// directory gives (compose keys left out, services restarted, names that
// cannot resolve), each once.
func withRenderWarnings(warnings []string, d *deployment.Deployment) ([]string, error) {
	res, err := render.Render(d, render.Options{})
	if err != nil {
		return warnings, err
	}
	out := slices.Clone(warnings)
	for _, w := range res.Warnings {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// freshVolumesNote says which volume mounts start empty, where docker
// compose would first fill a new volume with the image's files there:
// without a copy-up image (off kind, unless the spec names one), those the
// spec leaves volumes (not ConfigMaps, not host paths). A note, not a
// warning: most images ship nothing at a volume's path.
func freshVolumesNote(d *deployment.Deployment) string {
	if render.CopyUpImage(d.Spec) != "" {
		return ""
	}
	var mounts []string
	for _, c := range slices.Concat(d.Pods, d.Jobs) {
		for _, m := range c.File.FreshVolumeMounts() {
			_, isConfigMap := d.Spec.ConfigMaps[m.Volume]
			if isConfigMap || d.Spec.Volumes[m.Volume] != "" {
				continue
			}
			what := "an anonymous volume"
			if m.Volume != "" {
				what = "volume " + m.Volume
			}
			if line := what + " at " + m.Service + ":" + m.Target; !slices.Contains(mounts, line) {
				mounts = append(mounts, line)
			}
		}
	}
	if len(mounts) == 0 {
		return ""
	}
	return "these start empty, where docker compose first fills a new volume with the image's files at its path: " + strings.Join(mounts, ", ") + "; if an image ships files there (defaults, a seeded database), set copy-up-image in the spec to an image of kubectl-stack (its executable at /kubectl-stack; the cluster must serve image volumes) and a copy-up init container fills them at their first start as docker does, or bind them from the stack"
}
