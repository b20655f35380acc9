// Package engine is kubectl-stack's Docker Engine API client, the only user
// of github.com/moby/moby/client and go-archive: it builds, finds and
// pushes the images of services with build:, and reads what kind needs
// beyond its own node abstraction (a node container's mounts, the local
// image store).
package engine

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/go-archive"
	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/api/types/registry"
	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/jsonmessage"
	"github.com/moby/patternmatcher/ignorefile"
)

// Request is one image build.
type Request struct {
	// Context is the build context directory.
	Context string
	// Dockerfile is relative to Context ("" for Dockerfile).
	Dockerfile string
	Target     string
	Args       map[string]string
	// Image is the tag the build gets.
	Image string
}

// Auth are registry credentials.
type Auth struct {
	Server, Username, Password string
}

// Engine is a Docker Engine, reached as the docker CLI reaches it
// (DOCKER_HOST or the default socket), at the API version both speak.
type Engine struct {
	c *client.Client
}

// Connect opens the engine and checks that it answers.
func Connect(ctx context.Context) (*Engine, error) {
	c, err := client.New(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("connecting to the Docker engine: %w", err)
	}
	if _, err := c.Ping(ctx, client.PingOptions{}); err != nil {
		c.Close()
		return nil, fmt.Errorf("the Docker engine does not answer (%w); start it, or set DOCKER_HOST", err)
	}
	return &Engine{c: c}, nil
}

// Close releases the connection.
func (e *Engine) Close() error { return e.c.Close() }

// Build builds req with the classic builder (what the Engine API offers
// without a BuildKit session), streaming the build's output to progress.
// The context honours .dockerignore.
func (e *Engine) Build(ctx context.Context, req Request, progress io.Writer) error {
	tar, err := contextTar(req.Context)
	if err != nil {
		return err
	}
	defer tar.Close()
	args := map[string]*string{}
	for k, v := range req.Args {
		args[k] = &v
	}
	res, err := e.c.ImageBuild(ctx, tar, client.ImageBuildOptions{
		Tags: []string{req.Image}, Dockerfile: cmp.Or(req.Dockerfile, "Dockerfile"), Target: req.Target,
		BuildArgs: args, Remove: true, Version: build.BuilderV1,
	})
	if err != nil {
		return fmt.Errorf("building %s from %s: %w", req.Image, req.Context, err)
	}
	defer res.Body.Close()
	if err := jsonmessage.DisplayJSONMessagesStream(res.Body, progress, 0, false, nil); err != nil {
		return fmt.Errorf("building %s from %s: %w", req.Image, req.Context, err)
	}
	return nil
}

func contextTar(dir string) (io.ReadCloser, error) {
	excludes, err := dockerignore(dir)
	if err != nil {
		return nil, err
	}
	tar, err := archive.TarWithOptions(dir, &archive.TarOptions{ExcludePatterns: excludes})
	if err != nil {
		return nil, fmt.Errorf("packing the build context %s: %w", dir, err)
	}
	return tar, nil
}

func dockerignore(dir string) ([]string, error) {
	f, err := os.Open(filepath.Join(dir, ".dockerignore"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name(), err)
	}
	return patterns, nil
}

// Has reports whether the local image store has image.
func (e *Engine) Has(ctx context.Context, image string) (bool, error) {
	_, err := e.c.ImageInspect(ctx, image)
	if cerrdefs.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("inspecting image %s: %w", image, err)
	}
	return true, nil
}

// InRegistry reports whether image's registry has it (the engine asks).
func (e *Engine) InRegistry(ctx context.Context, image string, auth *Auth) (bool, error) {
	_, err := e.c.DistributionInspect(ctx, image, client.DistributionInspectOptions{EncodedRegistryAuth: encode(auth)})
	if err == nil {
		return true, nil
	}
	if cerrdefs.IsNotFound(err) || cerrdefs.IsUnauthorized(err) || cerrdefs.IsPermissionDenied(err) {
		return false, nil
	}
	return false, fmt.Errorf("asking the registry of %s for it: %w", image, err)
}

// Push pushes image to its registry with auth, streaming progress.
func (e *Engine) Push(ctx context.Context, image string, auth *Auth, progress io.Writer) error {
	res, err := e.c.ImagePush(ctx, image, client.ImagePushOptions{RegistryAuth: encode(auth)})
	if err != nil {
		return fmt.Errorf("pushing %s: %w", image, err)
	}
	defer res.Close()
	if err := jsonmessage.DisplayJSONMessagesStream(res, progress, 0, false, nil); err != nil {
		return fmt.Errorf("pushing %s: %w", image, err)
	}
	return nil
}

// encode is the X-Registry-Auth value; the password is never logged.
func encode(auth *Auth) string {
	if auth == nil {
		return ""
	}
	data, _ := json.Marshal(registry.AuthConfig{Username: auth.Username, Password: auth.Password, ServerAddress: auth.Server})
	return base64.URLEncoding.EncodeToString(data)
}
