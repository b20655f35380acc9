package cmd

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/version"
)

// versionInfo is what "version -o json|yaml" prints.
type versionInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	// Date is the commit's time, as the Go toolchain recorded it.
	Date      string `json:"date,omitempty"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// VersionOptions are the inputs of "kubectl stack version".
type VersionOptions struct {
	*GlobalOptions
	outputFlag
}

func newCmdVersion(g *GlobalOptions) *cobra.Command {
	o := &VersionOptions{GlobalOptions: g}
	cmd := &cobra.Command{
		Use:     "version [-o json|yaml]",
		Example: "  kubectl stack version\n  kubectl stack version -o json",
		Short:   "Print the version of kubectl stack",
		Args:    cobra.NoArgs,
		RunE:    runE(o),
	}
	o.outputFlag.add(cmd, "one line", "json", "yaml")
	return cmd
}

// Complete has nothing to read.
func (o *VersionOptions) Complete(*cobra.Command, []string) error { return nil }

// Run prints the version.
func (o *VersionOptions) Run(*cobra.Command) error {
	info := versionInfo{Version: version.Get(), Commit: version.Commit(), Date: version.Date(), GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if done, err := o.print(o.Out, info); done {
		return err
	}
	v := info.Version
	if info.Commit != "" {
		v += " (" + info.Commit + ")"
	}
	_, err := fmt.Fprintln(o.Out, v)
	return err
}
