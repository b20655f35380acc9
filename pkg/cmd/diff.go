package cmd

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// DiffOptions are the inputs of "kubectl stack diff".
type DiffOptions struct {
	deploymentVerb
	Images map[string]string
	Getenv func(string) string
}

// ErrDifferences is returned by diff when the cluster differs from the
// deployment; the process exits 1 without an error message, like kubectl diff.
var ErrDifferences = &ExitError{Code: 1}

// NewDiffOptions returns DiffOptions with its defaults (the options of "kubectl stack diff").
func NewDiffOptions(g *GlobalOptions) *DiffOptions {
	return &DiffOptions{deploymentVerb: deploymentVerb{GlobalOptions: g}, Getenv: os.Getenv}
}

func newCmdDiff(g *GlobalOptions) *cobra.Command {
	o := NewDiffOptions(g)
	cmd := &cobra.Command{
		Use: "diff [-d DIR]",
		Example: `  kubectl stack diff -d ./my-deployment
  kubectl stack diff -d ./my-deployment --image web=example/web:2   # what a new image would change`,
		Short: "Show what deploy would change (server-side dry run), pruning included",
		Long: `Show, as a unified diff, how the live objects differ from what deploy would
apply (server-side dry runs, nothing is written), including objects deploy
would prune. Secret values are masked. Exits 0 without differences, 1 with
differences, and more than 1 on errors, like kubectl diff.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			// kubectl diff's codes: 1 means differences, errors are 2.
			err := runE(o)(c, args)
			var exit *ExitError
			if err != nil && !errors.As(err, &exit) {
				return &ExitError{Code: 2, Err: err}
			}
			return err
		},
	}
	o.addFlags(cmd)
	cmd.Flags().StringToStringVar(&o.Images, "image", o.Images, "Replace a container's image: container=image (repeatable).")
	return cmd
}

// Complete prepares the objects deploy would apply.
func (o *DiffOptions) Complete(c *cobra.Command, args []string) error {
	var err error
	o.target, err = prepareTarget(c, o.GlobalOptions, o.DeploymentDir, o.Images, o.Getenv)
	return err
}

// Run prints the differences.
func (o *DiffOptions) Run(c *cobra.Command) error {
	changes, err := o.lifecycle().Diff(c.Context(), o.target)
	if err != nil {
		return err
	}
	differ := false
	for _, ch := range changes {
		if !ch.Differs() {
			continue
		}
		differ = true
		fmt.Fprint(o.Out, ch.Diff)
	}
	if differ {
		return ErrDifferences
	}
	o.Logger().Infof("no differences: the cluster matches %s", o.target.Dir())
	return nil
}
