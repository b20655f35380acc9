package bindsrc

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ReadLimit is the most any file of a stack may hold when it is read:
// compose files, env files, hooks and bind sources are all far smaller,
// and files under /proc report a size of 0 whatever they hold, so the
// reported size is never trusted.
const ReadLimit = 16 << 20

// ReadFile reads a regular file that must lie inside root, through an
// os.Root: a link in any component of the path that leads out of root is
// refused by the kernel-backed lookup itself, even one made after a Scan,
// and at most limit bytes are read whatever the file's reported size.
func ReadFile(path, root string, limit int64) ([]byte, error) {
	rootDir := RealPath(root)
	real, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if r, err := filepath.EvalSymlinks(real); err == nil {
		real = r
	}
	rel, inside := Within(rootDir, real)
	if !inside {
		return nil, fmt.Errorf("%s lies outside %s (it resolves to %s); files outside the stack are never read: copy it into the stack", path, root, real)
	}
	r, err := os.OpenRoot(rootDir)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	// Lstat before opening: opening a FIFO blocks until a writer comes.
	if info, err := r.Lstat(rel); err == nil && !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is a %s, not a regular file; special files are never read: remove it from the stack", path, KindOf(info.Mode()))
	}
	f, err := r.Open(rel)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is a %s, not a regular file; special files are never read: remove it from the stack", path, KindOf(info.Mode()))
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s holds more than %d bytes, more than any file of a stack may; remove it from the stack or bake it into the image", path, limit)
	}
	return data, nil
}

// Inside reports whether path, with the links of all its components
// resolved, lies inside root. A path that does not exist yet is judged by
// its nearest existing parent.
func Inside(path, root string) bool {
	p, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	var rest []string
	for {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			_, inside := Within(RealPath(root), filepath.Join(append([]string{real}, rest...)...))
			return inside
		}
		parent := filepath.Dir(p)
		if parent == p {
			return false
		}
		rest = append([]string{filepath.Base(p)}, rest...)
		p = parent
	}
}

// Within reports whether path lies under root (or is root), comparing
// cleaned absolute paths on whole path elements: /srv/kind2 is not within
// /srv/kind. It returns the relative path when it does.
func Within(root, path string) (string, bool) {
	rel, err := filepath.Rel(filepath.Clean(root), filepath.Clean(path))
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") || filepath.IsAbs(rel) {
		return "", false
	}
	return rel, true
}
