package cmd

import (
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// DefaultName is how kubectl runs the plugin installed as kubectl-stack.
const DefaultName = "kubectl stack"

// DisplayName is the command a user typed to run the plugin, from the
// executable's name as kubectl's plugin discovery sees it: kubectl-stack
// is "kubectl stack", the link krew makes, kubectl-compose_stack, is
// "kubectl compose-stack" (kubectl reads _ in a plugin's name as -).
func DisplayName(argv0 string) string {
	base := strings.TrimSuffix(filepath.Base(argv0), ".exe")
	plugin, ok := strings.CutPrefix(base, "kubectl-")
	if !ok || plugin == "" {
		return DefaultName
	}
	return "kubectl " + strings.ReplaceAll(plugin, "_", "-")
}

// rename makes the command tree's help speak of name instead of
// DefaultName: usage lines, descriptions and examples.
func rename(root *cobra.Command, name string) {
	if name == DefaultName {
		return
	}
	root.Annotations[cobra.CommandDisplayNameAnnotation] = name
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.Long = strings.ReplaceAll(c.Long, DefaultName+" ", name+" ")
		c.Example = strings.ReplaceAll(c.Example, DefaultName+" ", name+" ")
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
