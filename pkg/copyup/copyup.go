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
	"path/filepath"
)

// Fill copies the tree at from into the directory to when to is empty,
// keeping modes, owners, symbolic links and modification times, as
// docker's copy-up does. A to that holds anything is left alone: its data
// are the application's, and docker never copies into them either. A
// missing from (the image has nothing there) copies nothing. It reports
// whether it copied.
func Fill(from, to string) (bool, error) {
	entries, err := os.ReadDir(to)
	if err != nil {
		return false, fmt.Errorf("reading the volume at %s: %w", to, err)
	}
	if len(entries) > 0 {
		return false, nil
	}
	info, err := os.Lstat(from)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !info.IsDir() {
		// A file or link there: docker has nothing to copy either (a
		// link is not followed, it may point out of the image).
		return false, nil
	}
	err = filepath.WalkDir(from, func(src string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, src)
		if err != nil {
			return err
		}
		return copyEntry(src, filepath.Join(to, rel), rel == ".")
	})
	if err != nil {
		return false, fmt.Errorf("copying %s into the volume: %w", from, err)
	}
	// Directories last: writing their entries changed their times.
	return true, filepath.WalkDir(from, func(src string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, src)
		return keepTimes(src, filepath.Join(to, rel))
	})
}

// copyEntry copies one entry; root is the volume's own directory, which
// exists and takes the image directory's mode and owner.
func copyEntry(src, dst string, root bool) error {
	info, err := os.Lstat(src)
	if err != nil {
		return err
	}
	mode := info.Mode()
	switch {
	case mode.IsDir():
		if !root {
			if err := os.Mkdir(dst, 0o700); err != nil {
				return err
			}
		}
	case mode&fs.ModeSymlink != 0:
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		if err := os.Symlink(target, dst); err != nil {
			return err
		}
		return chown(info, dst, os.Lchown)
	case mode.IsRegular():
		if err := copyFile(src, dst); err != nil {
			return err
		}
	default:
		// Sockets, devices and pipes in an image are not data.
		return nil
	}
	if err := chown(info, dst, os.Chown); err != nil {
		return err
	}
	if err := os.Chmod(dst, mode.Perm()|mode&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)); err != nil {
		return err
	}
	if !mode.IsDir() {
		return keepTimes(src, dst)
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
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

func keepTimes(src, dst string) error {
	info, err := os.Lstat(src)
	if err != nil {
		return err
	}
	return os.Chtimes(dst, info.ModTime(), info.ModTime())
}
