package lifecycle

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/engine"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// builder builds and pushes one deployment's images with the engine.
type builder struct {
	l      *Lifecycle
	d      *deployment.Deployment
	engine Engine
}

func (l *Lifecycle) builder(ctx context.Context, d *deployment.Deployment) (*builder, error) {
	e, err := l.Engine(ctx)
	if err != nil {
		return nil, err
	}
	return &builder{l: l, d: d, engine: e}, nil
}

func (b *builder) close() { _ = b.engine.Close() }

func (b *builder) build(ctx context.Context, bd deployment.Build) error {
	log := b.l.Log
	if stale, err := bd.Stale(); err == nil && stale {
		log.Warnf("the build context %s of service %s changed since %s was created or updated: the image is rebuilt under its old tag %s, so running pods will not roll; re-sync the deployment (create --update, or restart) for a new tag", bd.Context, bd.Service, b.d.Dir, bd.Image)
	}
	log.Infof("building %s (service %s of pod %s) from %s", bd.Image, bd.Service, bd.Pod, bd.Context)
	start := time.Now()
	req := engine.Request{Context: bd.Context, Dockerfile: bd.Dockerfile, Target: bd.Target, Args: bd.Args, Image: bd.Image}
	if err := b.engine.Build(ctx, req, b.l.Progress); err != nil {
		return &BuildError{Service: bd.Service, Dir: b.d.Dir, Err: err}
	}
	log.Infof("built %s in %s", bd.Image, time.Since(start).Round(100*time.Millisecond))
	return nil
}

// auth is the registry login of the spec's registry credentials; nil
// without them.
func auth(s *spec.Spec, getenv func(string) string) (*engine.Auth, error) {
	cred := s.Credentials()
	if cred == nil {
		return nil, nil
	}
	token, err := apply.ReadToken(cred, getenv)
	if err != nil {
		return nil, err
	}
	return &engine.Auth{Server: cred.Server, Username: cred.Username, Password: token}, nil
}

// usedBuilds are the builds whose images the rendered objects run (an
// image override can replace one).
func usedBuilds(d *deployment.Deployment, objectImages []string) []deployment.Build {
	var out []deployment.Build
	for _, b := range d.Builds {
		if slices.Contains(objectImages, b.Image) {
			out = append(out, b)
		}
	}
	return out
}

// BuildRequest asks for images to be built (and pushed).
type BuildRequest struct {
	Deployment *deployment.Deployment
	Builds     []deployment.Build
	// Push sends each built image to its registry with the spec's
	// registry credentials, whose token Getenv reads.
	Push   bool
	Getenv func(string) string
	// Built is called with each image once it is built (and pushed).
	Built func(image string)
}

// Build builds the requested images with the local container engine, as
// docker compose build does, and pushes them if asked.
func (l *Lifecycle) Build(ctx context.Context, req BuildRequest) error {
	if len(req.Builds) == 0 {
		l.Log.Infof("no service of %s builds an image", req.Deployment.Dir)
		return nil
	}
	b, err := l.builder(ctx, req.Deployment)
	if err != nil {
		return err
	}
	defer b.close()
	var login *engine.Auth
	if req.Push {
		if login, err = auth(req.Deployment.Spec, req.Getenv); err != nil {
			return err
		}
	}
	for _, bd := range req.Builds {
		if err := b.build(ctx, bd); err != nil {
			return err
		}
		if req.Push {
			l.Log.Infof("pushing %s", bd.Image)
			if err := b.engine.Push(ctx, bd.Image, login, l.Progress); err != nil {
				return fmt.Errorf("pushing %s: %w", bd.Image, err)
			}
		}
		if req.Built != nil {
			req.Built(bd.Image)
		}
	}
	return nil
}
