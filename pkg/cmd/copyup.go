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
	// fills are IMAGE:PATH=VOLUME: where the service's image is mounted
	// (an image volume), the path in it, and the volume to fill.
	fills []fill
}

type fill struct{ image, path, volume string }

func newCmdCopyUp(g *GlobalOptions) *cobra.Command {
	o := &CopyUpOptions{GlobalOptions: g}
	return &cobra.Command{
		Use:    "copy-up IMAGE:PATH=VOLUME...",
		Short:  "Fill each empty VOLUME with the files at PATH of the image mounted at IMAGE (run by the pods' copy-up init container)",
		Hidden: true,
		Args:   cobra.MinimumNArgs(1),
		RunE:   runE(o),
	}
}

// Complete splits the arguments: IMAGE and VOLUME are the init
// container's own mount points (no ":" or "="), PATH is the rest.
func (o *CopyUpOptions) Complete(_ *cobra.Command, args []string) error {
	for _, a := range args {
		image, rest, ok1 := strings.Cut(a, ":")
		i := strings.LastIndex(rest, "=")
		if !ok1 || i <= 0 || image == "" || i == len(rest)-1 {
			return fmt.Errorf("copy-up: %q is not IMAGE:PATH=VOLUME", a)
		}
		o.fills = append(o.fills, fill{image: image, path: rest[:i], volume: rest[i+1:]})
	}
	return nil
}

// Validate has nothing left to check.
func (o *CopyUpOptions) Validate() error { return nil }

// Run fills each volume that is empty and says what it did.
func (o *CopyUpOptions) Run(*cobra.Command) error {
	log := o.Logger()
	for _, f := range o.fills {
		copied, err := copyup.Fill(f.image, f.path, f.volume)
		if err != nil {
			return err
		}
		if copied {
			log.Infof("copy-up: filled the new volume at %s with the image's %s", f.volume, f.path)
		} else {
			log.Infof("copy-up: %s holds data or the image has no directory %s; left as it is", f.volume, f.path)
		}
	}
	return nil
}
