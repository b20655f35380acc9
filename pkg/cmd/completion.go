package cmd

import (
	"cmp"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
)

// Completion of flag values and arguments: what a user of kubectl expects
// to get with TAB.

// completeDeploymentDirs completes -d with the directories holding a
// deployment.yml, and the other directories to walk into.
func completeDeploymentDirs(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	dir, prefix := filepath.Split(toComplete)
	entries, err := os.ReadDir(cmp.Or(dir, "."))
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), prefix) || strings.HasPrefix(e.Name(), ".") && !strings.HasPrefix(prefix, ".") {
			continue
		}
		p := dir + e.Name()
		if _, err := os.Stat(filepath.Join(p, deployment.DeploymentFile)); err == nil {
			out = append(out, p)
		} else {
			out = append(out, p+"/")
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// deploymentServices are the compose services of the deployment -d names
// (or the current directory holds), for SERVICE and --image completion.
func deploymentServices(c *cobra.Command) []string {
	flag, _ := c.Flags().GetString("deployment-dir")
	dir, err := deployment.ResolveDir(flag)
	if err != nil {
		return nil
	}
	d, err := deployment.Load(context.Background(), dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, comp := range slices.Concat(d.Pods, d.Jobs) {
		for _, s := range comp.File.ServiceNames() {
			out = append(out, comp.File.ServiceName(s))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// completeService completes the first argument with a compose service.
func completeService(c *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return deploymentServices(c), cobra.ShellCompDirectiveNoFileComp
}

// completeImage completes --image with "SERVICE=".
func completeImage(c *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, s := range deploymentServices(c) {
		out = append(out, s+"=")
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// completeContext completes --context with the kubeconfig's contexts.
func completeContext(g *GlobalOptions) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		raw, err := g.ConfigFlags.ToRawKubeConfigLoader().RawConfig()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for name := range raw.Contexts {
			out = append(out, name)
		}
		slices.Sort(out)
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// registerCompletions adds value completion to the flags a command has.
func registerCompletions(root *cobra.Command, g *GlobalOptions) {
	_ = root.RegisterFlagCompletionFunc("context", completeContext(g))
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Flags().Lookup("deployment-dir") != nil {
			_ = c.RegisterFlagCompletionFunc("deployment-dir", completeDeploymentDirs)
		}
		if c.Flags().Lookup("image") != nil {
			_ = c.RegisterFlagCompletionFunc("image", completeImage)
		}
		if c.Flags().Lookup("dry-run") != nil {
			_ = c.RegisterFlagCompletionFunc("dry-run", cobra.FixedCompletions([]string{"none", "client", "server"}, cobra.ShellCompDirectiveNoFileComp))
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
