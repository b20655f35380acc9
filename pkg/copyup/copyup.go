// Package copyup gives a new volume the image's files at its mount path,
// as docker does when it first mounts an empty volume over a directory
// the image fills: a Kubernetes volume starts empty, which breaks images
// that ship defaults, plugins or a seeded database there. The plugin's
// hidden copy-up command runs it in an init container (see render's
// copyUp), with the service's image mounted read-only as an image volume
// and the volume beside it.
package copyup

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	securejoin "github.com/cyphar/filepath-securejoin"
)

// Fill copies the tree at from, a path in the image whose root
// filesystem is mounted at imageRoot, into the directory to when to is
// empty, keeping modes, owners, symbolic links and modification times,
// as docker's copy-up does. A link in from resolves inside the image, as
// docker resolves it; links in the tree are copied, never followed; both
// sides are read and written through roots (os.Root), so nothing outside
// the two is touched. A to that holds anything is left alone: its data
// are the application's, and docker never copies into them either. A from
// the image lacks, or has as a file, copies nothing. It reports whether
// it copied.
func Fill(imageRoot, from, to string) (bool, error) {
	dst, err := os.OpenRoot(to)
	if err != nil {
		return false, fmt.Errorf("opening the volume at %s: %w", to, err)
	}
	defer dst.Close()
	entries, err := fs.ReadDir(dst.FS(), ".")
	if err != nil {
		return false, fmt.Errorf("reading the volume at %s: %w", to, err)
	}
	if len(entries) > 0 {
		return false, nil
	}
	// The path is resolved as docker resolves a mount's target in the
	// image: its links followed, but inside the image's root (an
	// absolute link starts at the image's /, ".." stops there).
	dir, err := securejoin.SecureJoin(imageRoot, from)
	if err != nil {
		return false, fmt.Errorf("resolving %s in the image: %w", from, err)
	}
	info, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !info.IsDir() {
		// A file there: docker has nothing to copy either.
		return false, nil
	}
	// From here on nothing is resolved again: the tree is walked without
	// following its links, and copied through roots.
	src, err := os.OpenRoot(dir)
	if err != nil {
		return false, fmt.Errorf("opening %s in the image: %w", from, err)
	}
	defer src.Close()
	c := copier{src: src, dst: dst}
	err = fs.WalkDir(src.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return c.entry(p)
	})
	if err != nil {
		return false, fmt.Errorf("copying %s into the volume: %w", from, err)
	}
	// Directories last: writing their entries changed their times.
	return true, fs.WalkDir(src.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		return c.keepTimes(p)
	})
}

// copier copies entries from the image directory's root to the same
// names under the volume's.
type copier struct{ src, dst *os.Root }

// entry copies one entry; "." is the volume's own directory, which
// exists and takes the image directory's mode and owner.
func (c copier) entry(name string) error {
	info, err := c.src.Lstat(name)
	if err != nil {
		return err
	}
	mode := info.Mode()
	switch {
	case mode.IsDir():
		if name != "." {
			if err := c.dst.Mkdir(name, 0o700); err != nil {
				return err
			}
		}
	case mode&fs.ModeSymlink != 0:
		target, err := c.src.Readlink(name)
		if err != nil {
			return err
		}
		if err := c.dst.Symlink(target, name); err != nil {
			return err
		}
		return chown(info, name, c.dst.Lchown)
	case mode.IsRegular():
		if err := c.file(name); err != nil {
			return err
		}
	default:
		// Sockets, devices and pipes in an image are not data.
		return nil
	}
	if err := chown(info, name, c.dst.Chown); err != nil {
		return err
	}
	if err := c.dst.Chmod(name, mode.Perm()|mode&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)); err != nil {
		return err
	}
	if !mode.IsDir() {
		return c.keepTimes(name)
	}
	return nil
}

func (c copier) file(name string) error {
	in, err := c.src.Open(name)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := c.dst.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func (c copier) keepTimes(name string) error {
	info, err := c.src.Lstat(name)
	if err != nil {
		return err
	}
	return c.dst.Chtimes(name, info.ModTime(), info.ModTime())
}

// chown gives dst src's owner; without the right to (the helper does not
// run as root), the files stay the helper's, as the copy still helps.
func chown(info fs.FileInfo, dst string, change func(string, int, int) error) error {
	uid, gid, ok := ownerOf(info)
	if !ok {
		return nil
	}
	if err := change(dst, uid, gid); err != nil && !errors.Is(err, fs.ErrPermission) {
		return err
	}
	return nil
}
