package kindcluster

import (
	"context"

	"github.com/kubectl-stack/kubectl-stack/pkg/engine"
)

// What kind's node abstraction does not expose, a node container's mounts
// and the local image store (see load.go), is read through the Docker
// Engine API (pkg/engine), from the engine the docker CLI and kind use
// (DOCKER_HOST or the default socket).

// LiveMounts reads the bind mounts of a container (destination → source).
func LiveMounts(ctx context.Context, container string) (map[string]string, error) {
	e, err := engine.Connect(ctx)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	return e.BindMounts(ctx, container)
}

// LiveMounts reads the bind mounts of a node container (destination →
// source).
func (p *Provider) LiveMounts(ctx context.Context, node string) (map[string]string, error) {
	return LiveMounts(ctx, node)
}
