package lifecycle

import (
	"context"
	"fmt"

	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
)

// buildImages makes the images the stack builds available to the nodes.
// On kind it builds those the local engine lacks (the load step copies
// them in); for deploy-to: k8s it refuses images their registry lacks,
// which the nodes could never pull. Dry runs build nothing.
func buildImages(ctx context.Context, r *deployRun) error {
	t := r.req.Target
	builds := usedBuilds(t.Deployment, t.Images())
	switch {
	case len(builds) == 0 || r.req.ServerDryRun:
		return nil
	case t.IsKind() && r.kindWritable:
		return buildMissing(ctx, r, builds)
	case !t.IsKind():
		return requirePushed(ctx, r, builds)
	}
	return nil
}

func buildMissing(ctx context.Context, r *deployRun, builds []deployment.Build) error {
	d := r.req.Target.Deployment
	b, err := r.l.builder(ctx, d)
	if err != nil {
		return fmt.Errorf("%w (the stack builds %d image(s); deploy builds them with the local Docker engine)", err, len(builds))
	}
	defer b.close()
	for _, bd := range builds {
		has, err := b.engine.Has(ctx, bd.Image)
		if err != nil {
			return err
		}
		if stale, err := bd.Stale(); has && err == nil && stale {
			r.l.Log.Warnf("the build context %s of service %s changed since %s was created or updated; deploy keeps the image %s built before: re-sync the deployment (create --update, or restart) to build and roll the change", bd.Context, bd.Service, d.Dir, bd.Image)
		}
		if !has {
			if err := b.build(ctx, bd); err != nil {
				return err
			}
		}
	}
	return nil
}

func requirePushed(ctx context.Context, r *deployRun, builds []deployment.Build) error {
	d := r.req.Target.Deployment
	b, err := r.l.builder(ctx, d)
	if err != nil {
		r.l.Log.Warnf("cannot check that the built images are in their registry: %v", err)
		return nil
	}
	defer b.close()
	login, err := auth(d.Spec, r.req.Getenv)
	if err != nil {
		return err
	}
	for _, bd := range builds {
		found, err := b.engine.InRegistry(ctx, bd.Image, login)
		if err != nil {
			return err
		}
		if !found {
			return &NotPushedError{Image: bd.Image, Service: bd.Service, Dir: d.Dir}
		}
	}
	return nil
}
