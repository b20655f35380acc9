package cmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/hooks"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// InitOptions are the inputs of "kubectl stack init".
type InitOptions struct {
	*GlobalOptions
	Stacks     []string
	Output     string
	DeployTo   string
	Config     []string
	PortRecipe string
	Force      bool
	AllowHooks bool
	Profiles   []string

	config map[string]string
	// stack is the stack's path: the one --stack, or the project
	// directory of several compose files.
	stack string
}

// NewInitOptions returns InitOptions with their defaults.
func NewInitOptions(g *GlobalOptions) *InitOptions {
	return &InitOptions{GlobalOptions: g, DeployTo: spec.DeployToKind, PortRecipe: "any-variable-random"}
}

func newCmdInit(g *GlobalOptions) *cobra.Command {
	o := NewInitOptions(g)
	cmd := &cobra.Command{
		Use:   "init --stack STACK --output spec.yml",
		Short: "Write a spec.yml template for a stack (run once, then edit and commit it)",
		Long: `Write a commented spec.yml for a stack: its ports, named volumes, configmaps,
the default namespace and examples of the settings you may want.

Run init once, edit the result and commit it to your operator repository. It
refuses to overwrite an existing file (regenerating the spec on every
deployment throws your edits away); pass --force if you really mean it.`,
		Example: `  kubectl stack init --stack ./stacks/my-stack --output spec.yml
  kubectl stack init --stack ./compose.yaml --output spec.yml --deploy-to k8s --config LOG_LEVEL=debug
  # a project run as docker compose -f compose.yml -f compose.prod.yml
  kubectl stack init --stack ./app/compose.yml --stack ./app/compose.prod.yml --output spec.yml`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.Stacks, "stack", o.Stacks, "Path of the stack: a directory holding stack.yml, or a compose file (or a directory holding one, or whose .env sets COMPOSE_FILE). Repeat it with compose files to merge them as docker compose -f does (written as config COMPOSE_FILE).")
	f.StringVar(&o.Output, "output", o.Output, "The spec file to write.")
	f.StringVar(&o.DeployTo, "deploy-to", o.DeployTo, "Deployment target: k8s-kind or k8s.")
	f.StringArrayVar(&o.Config, "config", o.Config, "A config value NAME=value for every container; repeat the flag for several.")
	f.StringVar(&o.PortRecipe, "map-ports-to-host", o.PortRecipe, "How compose ports are published: "+strings.Join(deployment.PortRecipes, ", ")+".")
	f.BoolVar(&o.Force, "force", o.Force, "If true, overwrite an existing output file.")
	f.StringArrayVar(&o.Profiles, "profile", o.Profiles, "A compose profile to activate, as docker compose --profile (written as config COMPOSE_PROFILES); repeat the flag for several.")
	f.BoolVar(&o.AllowHooks, "allow-hooks", o.AllowHooks, "If true, record the digests of the stack's hooks (deploy/hooks) in the spec, so that create, restart and deploy run them; without it they are listed commented out.")
	_ = cmd.RegisterFlagCompletionFunc("deploy-to", cobra.FixedCompletions([]string{spec.DeployToKind, spec.DeployToK8s}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("map-ports-to-host", cobra.FixedCompletions(deployment.PortRecipes, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// Complete parses --config values.
func (o *InitOptions) Complete(c *cobra.Command, args []string) error {
	o.config = map[string]string{}
	for _, kv := range o.Config {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("--config %q: write it as NAME=value", kv)
		}
		o.config[k] = v
	}
	if len(o.Profiles) > 0 {
		o.config[compose.ProfilesVariable] = strings.Join(o.Profiles, ",")
	}
	return o.completeStack()
}

// completeStack: one --stack is the stack; several are compose files of
// one project, whose directory (the first file's, as docker compose's
// project directory) becomes the stack and whose names relative to it
// become COMPOSE_FILE, which docker compose and kubectl-stack both read.
func (o *InitOptions) completeStack() error {
	if len(o.Stacks) <= 1 {
		o.stack = strings.Join(o.Stacks, "")
		return nil
	}
	dir := filepath.Dir(o.Stacks[0])
	var names []string
	for _, f := range o.Stacks {
		if info, err := os.Stat(f); err != nil || info.IsDir() {
			return fmt.Errorf("--stack %s: with several --stack flags each must be a compose file, merged in order as docker compose -f merges them", f)
		}
		rel, err := filepath.Rel(dir, f)
		if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
			return fmt.Errorf("--stack %s lies outside %s, the project directory (the first file's); files outside a stack are never read: move it into %s", f, dir, dir)
		}
		if strings.ContainsRune(rel, filepath.ListSeparator) {
			return fmt.Errorf("--stack %s: the name holds %q, which separates the files of %s; rename the file", f, filepath.ListSeparator, compose.FilesVariable)
		}
		names = append(names, filepath.ToSlash(rel))
	}
	o.stack = dir
	o.config[compose.FilesVariable] = strings.Join(names, string(filepath.ListSeparator))
	return nil
}

// Validate checks the flags.
func (o *InitOptions) Validate() error {
	var errs []error
	if o.stack == "" {
		errs = append(errs, errors.New("--stack is required: the path of the stack directory or compose file"))
	}
	if o.Output == "" {
		errs = append(errs, errors.New("--output is required: the spec file to write, e.g. --output spec.yml"))
	}
	if o.DeployTo != spec.DeployToKind && o.DeployTo != spec.DeployToK8s {
		errs = append(errs, fmt.Errorf("--deploy-to %q: use k8s-kind or k8s", o.DeployTo))
	}
	if !slices.Contains(deployment.PortRecipes, o.PortRecipe) {
		errs = append(errs, fmt.Errorf("--map-ports-to-host %q: use one of %s", o.PortRecipe, strings.Join(deployment.PortRecipes, ", ")))
	}
	return errors.Join(errs...)
}

// Run writes the template.
func (o *InitOptions) Run(c *cobra.Command) error {
	if _, err := os.Stat(o.Output); err == nil && !o.Force {
		return fmt.Errorf("%s already exists and init will not overwrite it: spec.yml is your git-tracked source of truth, and regenerating it on every deployment throws your edits away. Edit it instead, or pass --force to replace it", o.Output)
	}
	written, how := deployment.StackRefFor(c.Context(), o.stack, o.Output)
	data, stackHooks, err := deployment.SpecTemplate(c.Context(), deployment.TemplateOptions{
		StackRef: o.stack, StackWritten: written, DeployTo: o.DeployTo, Config: o.config, PortRecipe: o.PortRecipe,
		AllowHooks: o.AllowHooks,
	})
	if err != nil {
		return fmt.Errorf("writing a spec for %s: %w", o.stack, err)
	}
	// The spec usually goes into an operator repository's directory that
	// may not exist yet (ops/spec.yml).
	if err := os.MkdirAll(filepath.Dir(o.Output), 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", o.Output, err)
	}
	if err := os.WriteFile(o.Output, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", o.Output, err)
	}
	o.Logger().Infof("stack: %s in %s (%s)", written, o.Output, how)
	o.showHooks(stackHooks)
	o.Logger().Infof("wrote %s; edit it, commit it, then run: kubectl stack create --spec-file %s --deployment-dir DIR", o.Output, o.Output)
	return nil
}

// showHooks lists the stack's hooks and their digests, and whether the
// spec now allows them: they are code that create, restart and deploy run
// on this machine.
func (o *InitOptions) showHooks(list []hooks.Hook) {
	if len(list) == 0 {
		return
	}
	for _, h := range list {
		o.Logger().Infof("hook %s (%s, %d bytes)", h.Name, h.Digest, len(h.Data))
	}
	if o.AllowHooks {
		o.Logger().Infof("recorded the hooks' digests in %s: they run at create, restart and deploy until they change", o.Output)
		return
	}
	o.Logger().Warnf("the stack has hooks, which run only once allowed: read them, then uncomment hooks: in %s (or run init again with --allow-hooks)", o.Output)
}
