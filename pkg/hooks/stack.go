package hooks

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kubectl-stack/kubectl-stack/pkg/bindsrc"
)

// MaxSize is the most a hook file may hold: hooks are scripts, and a
// linked or generated file of hundreds of MB is never one.
const MaxSize = 1 << 20

// Hook is one file of a stack's deploy/hooks.
type Hook struct {
	Name   string
	Data   []byte
	Mode   fs.FileMode
	Digest string
}

// Digest is the digest spec.yml's hooks: records for a hook's content.
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// StackHooks reads a stack's deploy/hooks. The directory and each hook
// must be what the stack ships: a linked directory (or a link in any
// component of its path), a linked hook, anything but a regular file, and
// a file over MaxSize are refused, naming it; none means no hooks.
func StackHooks(stackDir string) ([]Hook, error) {
	dir := filepath.Join(stackDir, filepath.FromSlash(StackDir))
	info, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// Only links below the stack directory are refused: the stack itself
	// may lie under one (a home directory on another disk).
	real, err := filepath.EvalSymlinks(dir)
	if err != nil || !info.IsDir() || real != filepath.Join(bindsrc.RealPath(stackDir), filepath.FromSlash(StackDir)) {
		return nil, fmt.Errorf("%s is a link (or lies under one) or not a directory; hooks are code the operator allows, so they must be the stack's own files: replace the link with the directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []Hook
	var errs []error
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if !e.Type().IsRegular() {
			errs = append(errs, fmt.Errorf("%s is a %s, not a regular file; only hook files belong in %s: remove it", p, bindsrc.KindOf(e.Type()), StackDir))
			continue
		}
		data, err := bindsrc.ReadFile(p, stackDir, MaxSize)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		info, err := e.Info()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, Hook{Name: e.Name(), Data: data, Mode: info.Mode().Perm(), Digest: Digest(data)})
	}
	return out, errors.Join(errs...)
}
