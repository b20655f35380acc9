package kindcluster

import (
	"context"
	"io"

	"github.com/kubectl-stack/kubectl-stack/pkg/engine"
)

// What kind's node abstraction does not expose, a node container's mounts
// and the local image store, is read through the Docker Engine API
// (pkg/engine), from the engine the docker CLI and kind use (DOCKER_HOST
// or the default socket).

// LiveMounts reads the bind mounts of a container (destination → source).
func LiveMounts(ctx context.Context, container string) (map[string]string, error) {
	e, err := engine.Connect(ctx)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	return e.BindMounts(ctx, container)
}

// localImageID returns the ID of an image in the local Docker image store,
// or "" when the engine does not have it.
func localImageID(ctx context.Context, image string) (string, error) {
	e, err := engine.Connect(ctx)
	if err != nil {
		return "", err
	}
	defer e.Close()
	return e.ImageID(ctx, image)
}

// saveImages streams a docker-save archive of the images.
func saveImages(ctx context.Context, images []string) (io.ReadCloser, error) {
	e, err := engine.Connect(ctx)
	if err != nil {
		return nil, err
	}
	body, err := e.SaveImages(ctx, images)
	if err != nil {
		e.Close()
		return nil, err
	}
	return closeBoth{body, e}, nil
}

// closeBoth closes the archive stream, then the engine connection.
type closeBoth struct {
	io.ReadCloser
	e *engine.Engine
}

func (c closeBoth) Close() error {
	err := c.ReadCloser.Close()
	c.e.Close()
	return err
}
