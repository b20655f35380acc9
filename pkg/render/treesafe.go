package render

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
)

// A GitOps tree is often written by others (a pull request to the
// operators' repository), and render --output-dir and --prune write and
// delete in it, in CI. No link inside the tree's managed directories is
// ever followed: a committed "pipelines -> ../../home" or
// "base/<stack> -> ../../../elsewhere" would make them write or delete
// outside the tree.

// checkNoLinks refuses sub (slash-separated, relative to the tree dir)
// when any of its components that exist is a link or not a directory
// (the last may be anything but a link).
func checkNoLinks(dir, sub string) error {
	p := dir
	parts := strings.Split(path.Clean(sub), "/")
	for i, part := range parts {
		p = filepath.Join(p, part)
		info, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		rel := path.Join(parts[:i+1]...)
		if info.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s in the tree %s is a link; render never writes or deletes through links in the tree (one would reach outside it): replace the link with a directory", rel, dir)
		}
		if i < len(parts)-1 && !info.IsDir() {
			return fmt.Errorf("%s in the tree %s is not a directory; remove it", rel, dir)
		}
	}
	return nil
}

// checkTreeDirs checks every managed directory a write or prune touches.
func checkTreeDirs(dir string, subs ...string) error {
	var errs []error
	for _, sub := range subs {
		errs = append(errs, checkNoLinks(dir, sub))
	}
	return errors.Join(errs...)
}

// isDeploymentID reports whether an overlay's name has the form of a
// deployment-id (a name prefix: a DNS label), the only overlays prune
// judges; anything else is not ours.
func isDeploymentID(name string) bool {
	return k8sname.IsLabel(name)
}

// removeInTree removes sub inside the tree through an os.Root, so that
// even a link made after the checks cannot take the removal outside.
func removeInTree(dir, sub string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	return root.RemoveAll(filepath.FromSlash(sub))
}
