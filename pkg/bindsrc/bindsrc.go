// Package bindsrc decides what a compose bind source is and reads the
// ones that may become ConfigMaps safely: a source inside the stack is
// walked without following links out of the stack and without opening
// special files (a FIFO would block, /dev/zero would never end); a source
// outside the stack is a host path and is never read.
package bindsrc

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
)

// systemPaths are the host paths node agents bind (monitoring, log
// shippers, CSI and CNI daemons), with what a container gets through them.
var systemPaths = []struct{ path, what string }{
	{"/proc", "the node's processes and kernel settings"},
	{"/sys", "the node's kernel and devices (sysfs)"},
	{"/dev", "the node's devices"},
	{"/run/udev", "the node's device database"},
	{"/lib/modules", "the node's kernel modules"},
	{"/var/run/docker.sock", "the node's container runtime (root on the node)"},
	{"/run/docker.sock", "the node's container runtime (root on the node)"},
	{"/run/containerd/containerd.sock", "the node's container runtime (root on the node)"},
	{"/var/run/containerd/containerd.sock", "the node's container runtime (root on the node)"},
	{"/run/crio/crio.sock", "the node's container runtime (root on the node)"},
	{"/var/run/crio/crio.sock", "the node's container runtime (root on the node)"},
	{"/var/log", "the node's logs"},
	{"/var/lib/docker/containers", "the node's container logs"},
}

// SystemPath reports whether p is the root file system or lies under one of
// the paths node agents bind, and what access it gives.
func SystemPath(p string) (string, bool) {
	p = filepath.Clean(p)
	if p == "/" {
		return "the node's whole file system", true
	}
	for _, s := range systemPaths {
		if p == s.path || strings.HasPrefix(p, s.path+"/") {
			return s.what, true
		}
	}
	return "", false
}

// HostVolumeName is the pod volume (and kind mount point) name of a host
// path bind: "host-" and the path with '/' as '-' when that is a valid
// name, else k8sname's mapping plus a hash of the path, so that two paths
// never share a name.
func HostVolumeName(abs string) string {
	base := "host-" + strings.ReplaceAll(strings.Trim(filepath.Clean(abs), "/"), "/", "-")
	if k8sname.IsLabel(base) {
		return base
	}
	return k8sname.Fit(k8sname.Label(base), k8sname.MaxLabel-9) + "-" + k8sname.Hash(abs)
}

// File is one regular file of a scanned bind source.
type File struct {
	// Rel is the slash-separated path below the source ("" for a file bind).
	Rel string
	// Path is the file to read: the entry itself, or the target of a link
	// that stays inside the root.
	Path string
	Size int64
}

// Tree is a scanned bind source.
type Tree struct {
	IsDir bool
	// Nested is true when a directory source has subdirectories.
	Nested bool
	Files  []File
	Total  int64
}

// Scan walks source, which must lie inside root, with Lstat: nothing is
// opened. A link is followed only when its target lies inside root; a link
// out of root and a special file (FIFO, socket, device) are errors that
// name them. Files are sorted by Rel.
func Scan(source, root string) (*Tree, error) {
	real, info, err := resolve(source, root)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return &Tree{Files: []File{{Path: real, Size: info.Size()}}, Total: info.Size()}, nil
	}
	t := &Tree{IsDir: true}
	err = t.walk(real, "", root, map[string]bool{real: true})
	sort.Slice(t.Files, func(i, j int) bool { return t.Files[i].Rel < t.Files[j].Rel })
	return t, err
}

func (t *Tree) walk(dir, rel, root string, visiting map[string]bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		p, r := filepath.Join(dir, e.Name()), pathJoin(rel, e.Name())
		real, info, err := resolve(p, root)
		if err != nil {
			return err
		}
		if !info.IsDir() {
			t.Files = append(t.Files, File{Rel: r, Path: real, Size: info.Size()})
			t.Total += info.Size()
			continue
		}
		t.Nested = true
		if visiting[real] {
			return fmt.Errorf("%s: a link back to %s makes the tree endless; remove the link", p, real)
		}
		visiting[real] = true
		if err := t.walk(real, r, root, visiting); err != nil {
			return err
		}
		delete(visiting, real)
	}
	return nil
}

func pathJoin(a, b string) string {
	if a == "" {
		return b
	}
	return a + "/" + b
}

// resolve follows p's links, in every component of the path and not only
// its last, while they stay inside root, and returns the real path and its
// mode; anything but a regular file or directory is an error. A link in a
// directory component (./etc-link/shadow with etc-link -> /etc) is as much
// a way out as a linked file.
func resolve(p, root string) (string, fs.FileInfo, error) {
	info, err := os.Lstat(p)
	if err != nil {
		return "", nil, err
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", nil, fmt.Errorf("%s is a link whose target cannot be resolved: %w", p, err)
	}
	if real != filepath.Clean(p) {
		if _, inside := Within(RealPath(root), real); !inside {
			return "", nil, fmt.Errorf("%s is a link to %s, outside the stack (%s); links out of the stack are never followed, in any component of a path: copy the file into the stack or bind the host path explicitly", p, real, root)
		}
		if info, err = os.Lstat(real); err != nil {
			return "", nil, err
		}
	}
	if !info.Mode().IsRegular() && !info.IsDir() {
		return "", nil, fmt.Errorf("%s is a %s, not a regular file; special files are never read into a ConfigMap: remove it from the stack", p, KindOf(info.Mode()))
	}
	return real, info, nil
}

// RealPath is p made absolute with its links resolved (a stack under a
// linked home directory is still one stack); a path that does not resolve
// is kept as it is written.
func RealPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return filepath.Clean(p)
}

// KindOf names what a file that is not a regular file is, for errors.
func KindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "link"
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}
