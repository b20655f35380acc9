package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/copyup"
)

// CopyUpOptions are the inputs of the hidden "kubectl stack copy-up",
// which the copy-up init container runs in the pods (render's copyUp):
// the plugin is its own helper image, so that images without a shell are
// served too.
type CopyUpOptions struct {
	*GlobalOptions
	// pairs are FROM=TO: a path in the service's image, mounted as an
	// image volume, and the volume to fill from it.
	pairs [][2]string
}

func newCmdCopyUp(g *GlobalOptions) *cobra.Command {
	o := &CopyUpOptions{GlobalOptions: g}
	return &cobra.Command{
		Use:    "copy-up FROM=TO...",
		Short:  "Fill each empty volume TO with the image's files at FROM (run by the pods' copy-up init container)",
		Hidden: true,
		Args:   cobra.MinimumNArgs(1),
		RunE:   runE(o),
	}
}

// Complete splits the pairs.
func (o *CopyUpOptions) Complete(_ *cobra.Command, args []string) error {
	for _, a := range args {
		from, to, ok := strings.Cut(a, "=")
		if !ok || from == "" || to == "" {
			return fmt.Errorf("copy-up: %q is not FROM=TO", a)
		}
		o.pairs = append(o.pairs, [2]string{from, to})
	}
	return nil
}

// Validate has nothing left to check.
func (o *CopyUpOptions) Validate() error { return nil }

// Run fills each volume that is empty and says what it did.
func (o *CopyUpOptions) Run(*cobra.Command) error {
	log := o.Logger()
	for _, p := range o.pairs {
		copied, err := copyup.Fill(p[0], p[1])
		if err != nil {
			return err
		}
		if copied {
			log.Infof("copy-up: filled the new volume at %s with the image's %s", p[1], p[0])
		} else {
			log.Infof("copy-up: %s holds data or the image has nothing at %s; left as it is", p[1], p[0])
		}
	}
	return nil
}
