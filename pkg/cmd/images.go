package cmd

import (
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/engine"
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
)

// images builds, finds and pushes a deployment's built images.
type images struct {
	c      *cobra.Command
	g      *GlobalOptions
	d      *deployment.Deployment
	engine *engine.Engine
	getenv func(string) string
}

func newImages(c *cobra.Command, g *GlobalOptions, d *deployment.Deployment, getenv func(string) string) (*images, error) {
	e, err := engine.Connect(c.Context())
	if err != nil {
		return nil, err
	}
	return &images{c: c, g: g, d: d, engine: e, getenv: getenv}, nil
}

func (im *images) close() { im.engine.Close() }

func (im *images) build(b deployment.Build) error {
	log := im.g.Logger()
	if stale, err := b.Stale(); err == nil && stale {
		log.Warnf("the build context %s of service %s changed since %s was created or updated: the image is rebuilt under its old tag %s, so running pods will not roll; run kubectl stack create --update (or restart) for a new tag", b.Context, b.Service, im.d.Dir, b.Image)
	}
	log.Infof("building %s (service %s of pod %s) from %s", b.Image, b.Service, b.Pod, b.Context)
	start := time.Now()
	req := engine.Request{Context: b.Context, Dockerfile: b.Dockerfile, Target: b.Target, Args: b.Args, Image: b.Image}
	if err := im.engine.Build(im.c.Context(), req, im.g.ErrOut); err != nil {
		return fmt.Errorf("%w; fix the build, then run kubectl stack build -d %s %s", err, im.d.Dir, b.Service)
	}
	log.Infof("built %s in %s", b.Image, time.Since(start).Round(100*time.Millisecond))
	return nil
}

func (im *images) auth() (*engine.Auth, error) {
	cred := im.d.Spec.Credentials()
	if cred == nil {
		return nil, nil
	}
	token, err := apply.ReadToken(cred, im.getenv)
	if err != nil {
		return nil, err
	}
	return &engine.Auth{Server: cred.Server, Username: cred.Username, Password: token}, nil
}

func (im *images) push(image string) error {
	auth, err := im.auth()
	if err != nil {
		return err
	}
	im.g.Logger().Infof("pushing %s", image)
	return im.engine.Push(im.c.Context(), image, auth, im.g.ErrOut)
}

// used are the builds whose images the rendered objects run (an --image
// override can replace one).
func usedBuilds(d *deployment.Deployment, objectImages []string) []deployment.Build {
	var out []deployment.Build
	for _, b := range d.Builds {
		if slices.Contains(objectImages, b.Image) {
			out = append(out, b)
		}
	}
	return out
}

// buildMissing builds, for kind, the images the local Docker does not
// have yet; kind load then copies them into the nodes.
func buildMissing(c *cobra.Command, g *GlobalOptions, d *deployment.Deployment, objectImages []string) error {
	builds := usedBuilds(d, objectImages)
	if len(builds) == 0 {
		return nil
	}
	im, err := newImages(c, g, d, nil)
	if err != nil {
		return fmt.Errorf("%w (the stack builds %d image(s); deploy builds them with the local Docker engine)", err, len(builds))
	}
	defer im.close()
	for _, b := range builds {
		has, err := im.engine.Has(c.Context(), b.Image)
		if err != nil {
			return err
		}
		if stale, err := b.Stale(); has && err == nil && stale {
			g.Logger().Warnf("the build context %s of service %s changed since %s was created or updated; deploy keeps the image %s built before: run kubectl stack create --update (or restart) to build and roll the change", b.Context, b.Service, d.Dir, b.Image)
		}
		if !has {
			if err := im.build(b); err != nil {
				return err
			}
		}
	}
	return nil
}

// requirePushed refuses, for deploy-to: k8s, images the stack builds that
// their registry does not have: the nodes could never pull them.
func requirePushed(c *cobra.Command, g *GlobalOptions, d *deployment.Deployment, objectImages []string, getenv func(string) string) error {
	builds := usedBuilds(d, objectImages)
	if len(builds) == 0 {
		return nil
	}
	im, err := newImages(c, g, d, getenv)
	if err != nil {
		g.Logger().Warnf("cannot check that the built images are in their registry: %v", err)
		return nil
	}
	defer im.close()
	auth, err := im.auth()
	if err != nil {
		return err
	}
	for _, b := range builds {
		found, err := im.engine.InRegistry(c.Context(), b.Image, auth)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("image %s (built for service %s) is not in its registry, so the cluster could not pull it; run kubectl stack build -d %s --push first", b.Image, b.Service, d.Dir)
		}
	}
	return nil
}

// sameService compares a service named on the command line (as written or
// as its Kubernetes name) with a compose service name.
func sameService(arg, service string) bool {
	return arg == service || k8sname.Label(arg) == k8sname.Label(service)
}
