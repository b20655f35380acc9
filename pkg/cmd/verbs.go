package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// noVerb is the Args of a command that only groups verbs (the root, kind):
// an argument is a mistyped verb, answered with cobra's suggestions (which
// cobra itself gives only to commands without a Run).
func noVerb(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
	if s := c.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
	}
	return fmt.Errorf("%s\nRun '%s --help' for the commands", msg, c.CommandPath())
}

// groupCommand is a command that holds verbs: without one it shows its
// help, with an unknown one it suggests the nearest.
func groupCommand(c *cobra.Command) *cobra.Command {
	c.Args = noVerb
	c.SuggestionsMinimumDistance = 2
	c.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
	return c
}

// rejectNamespaceFlag refuses -n/--namespace on a deployment verb: the
// deployment's spec.yml decides its namespace, and silently ignoring the
// flag would show or change something other than what was asked.
func rejectNamespaceFlag(c *cobra.Command) error {
	if c.Flags().Lookup("deployment-dir") == nil || !c.Flags().Changed("namespace") {
		return nil
	}
	return fmt.Errorf("-n/--namespace does not apply to %s: a deployment's namespace comes from its spec.yml (namespace:); drop -n, or change namespace: in the spec and run kubectl stack create --update", c.CommandPath())
}
