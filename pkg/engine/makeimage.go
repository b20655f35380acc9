package engine

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// ExecutableImage is an image of one static executable and nothing else,
// as FROM scratch with COPY would make it.
type ExecutableImage struct {
	// Name is the image's reference (repository:tag).
	Name string
	// Executable is the file to put at Path, with mode 0755.
	Executable, Path string
	// Architecture is the image's (runtime.GOARCH of the executable).
	Architecture string
	// Labels go on the image's config.
	Labels map[string]string
}

// MakeImage makes the image in the local image store, without a build:
// one layer holding the executable, loaded as docker load would load it.
func (e *Engine) MakeImage(ctx context.Context, im ExecutableImage) error {
	ref, err := name.NewTag(im.Name)
	if err != nil {
		return fmt.Errorf("image name %s: %w", im.Name, err)
	}
	layer, err := executableLayer(im.Executable, im.Path)
	if err != nil {
		return err
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return err
	}
	cfg = cfg.DeepCopy()
	cfg.Architecture, cfg.OS = im.Architecture, "linux"
	cfg.Config.Entrypoint, cfg.Config.Labels = []string{im.Path}, im.Labels
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		return err
	}
	r, w := io.Pipe()
	go func() { w.CloseWithError(tarball.Write(ref, img, w)) }()
	res, err := e.c.ImageLoad(ctx, r)
	if err != nil {
		r.CloseWithError(err)
		return fmt.Errorf("loading image %s into Docker: %w", im.Name, err)
	}
	defer res.Close()
	_, err = io.Copy(io.Discard, res)
	return err
}

// executableLayer is a layer with the file at path, mode 0755, owned by
// root. The tar is streamed from the file each time the layer is read
// (to digest it, then to write it): the plugin's executable is tens of
// megabytes, not worth holding in memory twice.
func executableLayer(file, path string) (v1.Layer, error) {
	info, err := os.Stat(file)
	if err != nil {
		return nil, fmt.Errorf("reading %s for its image: %w", file, err)
	}
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		r, w := io.Pipe()
		go func() {
			defer f.Close()
			tw := tar.NewWriter(w)
			err := tw.WriteHeader(&tar.Header{Name: path[1:], Mode: 0o755, Size: info.Size(), Typeflag: tar.TypeReg})
			if err == nil {
				_, err = io.Copy(tw, f)
			}
			if err == nil {
				err = tw.Close()
			}
			w.CloseWithError(err)
		}()
		return r, nil
	})
}
