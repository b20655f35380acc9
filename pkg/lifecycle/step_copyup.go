package lifecycle

import (
	"context"
	"fmt"
	"runtime"
	"slices"

	"github.com/kubectl-stack/kubectl-stack/pkg/engine"
	"github.com/kubectl-stack/kubectl-stack/pkg/render"
	"github.com/kubectl-stack/kubectl-stack/pkg/version"
)

// copyUpImageStep makes, on kind, the copy-up image the pods' init
// containers run (render.DefaultCopyUpImage) when the local engine lacks
// it: the plugin's own executable, the only file of a one-layer image, so
// that nothing is pulled or built. The load step then copies it into the
// nodes like the stack's images. An image the spec names (copy-up-image)
// is the operator's to provide.
func copyUpImageStep(ctx context.Context, r *deployRun) error {
	t := r.req.Target
	if !t.IsKind() || !r.kindWritable || !slices.Contains(t.Images(), render.DefaultCopyUpImage) {
		return nil
	}
	b, err := r.l.builder(ctx, t.Deployment)
	if err != nil {
		return fmt.Errorf("%w (deploy makes the copy-up image %s with it)", err, render.DefaultCopyUpImage)
	}
	defer b.close()
	has, err := b.engine.Has(ctx, render.DefaultCopyUpImage)
	if err != nil || has {
		return err
	}
	if r.l.Executable == "" || runtime.GOOS != "linux" {
		return fmt.Errorf("the pods' copy-up init container (which gives new volumes the image's files, as docker does) runs the image %s, which the local Docker lacks and this kubectl-stack cannot make from itself (it makes it only as a Linux binary); load that image into Docker, or set copy-up-image: none in %s's spec to start volumes empty", render.DefaultCopyUpImage, t.Dir())
	}
	err = b.engine.MakeImage(ctx, engine.ExecutableImage{
		Name: render.DefaultCopyUpImage, Executable: r.l.Executable, Path: "/kubectl-stack", Architecture: runtime.GOARCH,
		Labels: map[string]string{"org.opencontainers.image.version": version.Get()},
	})
	if err != nil {
		return fmt.Errorf("making the copy-up image %s from %s: %w", render.DefaultCopyUpImage, r.l.Executable, err)
	}
	r.l.Log.Infof("made the copy-up image %s from %s", render.DefaultCopyUpImage, r.l.Executable)
	return nil
}
