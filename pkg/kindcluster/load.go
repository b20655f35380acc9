package kindcluster

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"

	"golang.org/x/sync/errgroup"
	"sigs.k8s.io/kind/pkg/cluster/nodes"
	"sigs.k8s.io/kind/pkg/cluster/nodeutils"

	"github.com/kubectl-stack/kubectl-stack/pkg/engine"
)

// LoadResult says what LoadImages did with each image.
type LoadResult struct {
	// Loaded were copied into at least one node.
	Loaded []string `json:"loaded"`
	// Present were already on every node with the same image ID.
	Present []string `json:"present"`
	// NotLocal are not in the local Docker image store; the nodes pull
	// them from their registry.
	NotLocal []string `json:"notLocal"`
}

// LoadImages copies the images that exist in the local Docker image store
// into every node of the cluster, as kind load docker-image does: an image
// a node already has under the same ID is retagged if needed, not copied
// again, so a rebuilt :local image is loaded and an unchanged one is not.
func (p *Provider) LoadImages(ctx context.Context, cluster string, images []string) (*LoadResult, error) {
	list, err := p.Nodes(cluster)
	if err != nil {
		return nil, err
	}
	e, err := engine.Connect(ctx)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	res := &LoadResult{}
	missing := map[nodes.Node][]string{}
	for _, image := range images {
		id, err := e.ImageID(ctx, image)
		if err != nil {
			return nil, err
		}
		if id == "" {
			res.NotLocal = append(res.NotLocal, image)
			continue
		}
		loaded := false
		for _, n := range list {
			if has, err := nodeHas(n, image, id); err != nil {
				return nil, err
			} else if !has {
				missing[n] = append(missing[n], image)
				loaded = true
			}
		}
		if loaded {
			res.Loaded = append(res.Loaded, image)
		} else {
			res.Present = append(res.Present, image)
		}
	}
	if len(res.Loaded) == 0 {
		return res, nil
	}
	return res, loadArchive(ctx, e, missing, res.Loaded)
}

// nodeHas reports whether a node holds image with that ID, retagging the
// ID when only the tag is missing (kind's own behaviour).
func nodeHas(n nodes.Node, image, id string) (bool, error) {
	if nodeID, err := nodeutils.ImageID(n, image); err == nil && nodeID == id {
		return true, nil
	}
	tags, err := nodeutils.ImageTags(n, id)
	if err != nil || len(tags) == 0 {
		return false, nil // the node does not know the ID at all
	}
	if err := nodeutils.ReTagImage(n, id, image); err != nil {
		return false, nil // copy it instead
	}
	return true, nil
}

// loadArchive saves the images once to a temporary archive and imports it
// into the nodes that miss them, concurrently.
func loadArchive(ctx context.Context, e *engine.Engine, missing map[nodes.Node][]string, images []string) error {
	tmp, err := os.CreateTemp("", "kubectl-stack-images-*.tar")
	if err != nil {
		return fmt.Errorf("loading images into kind: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	archive, err := e.SaveImages(ctx, images)
	if err != nil {
		return err
	}
	_, err = io.Copy(tmp, archive)
	archive.Close()
	if err != nil {
		return fmt.Errorf("exporting images from Docker: %w", err)
	}
	var g errgroup.Group
	for n, want := range missing {
		slices.Sort(want)
		g.Go(func() error {
			f, err := os.Open(tmp.Name())
			if err != nil {
				return err
			}
			defer f.Close()
			if err := nodeutils.LoadImageArchive(n, f); err != nil {
				return fmt.Errorf("loading %v into node %s: %w", want, n, err)
			}
			return nil
		})
	}
	return g.Wait()
}
