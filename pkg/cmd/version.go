package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/version"
)

func newCmdVersion(g *GlobalOptions) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Example: `  kubectl stack version`,
		Short:   "Print the version of kubectl stack",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			v := version.Version
			if c := version.Commit(); c != "" {
				v += " (" + c + ")"
			}
			_, err := fmt.Fprintln(g.Out, v)
			return err
		},
	}
}
