package engine

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/client"
)

// BindMounts reads the bind mounts of a container (destination → source).
func (e *Engine) BindMounts(ctx context.Context, container string) (map[string]string, error) {
	res, err := e.c.ContainerInspect(ctx, container, client.ContainerInspectOptions{})
	if err != nil {
		return nil, fmt.Errorf("asking the Docker engine about %s: %w", container, err)
	}
	out := map[string]string{}
	for _, m := range res.Container.Mounts {
		if m.Type == mount.TypeBind {
			out[m.Destination] = m.Source
		}
	}
	return out, nil
}

// ImageID returns the ID of an image in the local image store, or "" when
// the engine does not have it.
func (e *Engine) ImageID(ctx context.Context, image string) (string, error) {
	res, err := e.c.ImageInspect(ctx, image)
	if cerrdefs.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("looking up image %s: %w", image, err)
	}
	return res.ID, nil
}

// SaveImages streams a docker-save archive of the images; the caller
// closes it.
func (e *Engine) SaveImages(ctx context.Context, images []string) (io.ReadCloser, error) {
	res, err := e.c.ImageSave(ctx, images)
	if err != nil {
		return nil, fmt.Errorf("exporting images %s from Docker: %w", strings.Join(images, ", "), err)
	}
	return res, nil
}

// kindClusterLabel is the label kind puts on every node container, with
// the cluster's name.
const kindClusterLabel = "io.x-k8s.kind.cluster"

// KindClusters names the kind clusters whose node containers this engine
// has, running or not: what `kind get clusters` answers, from one API
// call instead of kind's runs of the docker CLI.
func (e *Engine) KindClusters(ctx context.Context) ([]string, error) {
	res, err := e.c.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: client.Filters{}.Add("label", kindClusterLabel)})
	if err != nil {
		return nil, fmt.Errorf("listing kind's node containers: %w", err)
	}
	var names []string
	for _, c := range res.Items {
		if name := c.Labels[kindClusterLabel]; name != "" && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names, nil
}
