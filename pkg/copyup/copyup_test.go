package copyup

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestFillCopiesIntoAnEmptyVolumeOnly: an empty volume gets the image's
// tree (files with their modes and times, directories, links); a volume
// that holds anything is left as it is; a path the image does not have,
// or has as a file, copies nothing.
func TestFillCopiesIntoAnEmptyVolumeOnly(t *testing.T) {
	t.Parallel()
	image := t.TempDir()
	from := filepath.Join(image, "usr/share/app")
	mustWrite(t, filepath.Join(from, "default.conf"), "listen 80\n", 0o640)
	mustWrite(t, filepath.Join(from, "plugins/core.so"), "elf", 0o755)
	if err := os.Symlink("default.conf", filepath.Join(from, "current.conf")); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(filepath.Join(from, "default.conf"), old, old); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(from, 0o750); err != nil {
		t.Fatal(err)
	}

	volume := t.TempDir()
	copied, err := Fill(image, "/usr/share/app", volume)
	if err != nil || !copied {
		t.Fatalf("Fill into an empty volume = %v, %v; want a copy", copied, err)
	}
	if got := read(t, filepath.Join(volume, "default.conf")); got != "listen 80\n" {
		t.Errorf("default.conf = %q", got)
	}
	for file, mode := range map[string]os.FileMode{"default.conf": 0o640, "plugins/core.so": 0o755, ".": 0o750} {
		if info, err := os.Stat(filepath.Join(volume, file)); err != nil || info.Mode().Perm() != mode {
			t.Errorf("%s: %v, mode %v; want %v", file, err, info.Mode().Perm(), mode)
		}
	}
	if target, err := os.Readlink(filepath.Join(volume, "current.conf")); err != nil || target != "default.conf" {
		t.Errorf("current.conf links to %q (%v); want default.conf", target, err)
	}
	if info, _ := os.Stat(filepath.Join(volume, "default.conf")); !info.ModTime().Equal(old) {
		t.Errorf("default.conf's time is %v; want the image's %v", info.ModTime(), old)
	}

	// The application changed the volume: a restart copies nothing back.
	mustWrite(t, filepath.Join(volume, "default.conf"), "listen 8080\n", 0o640)
	if err := os.Remove(filepath.Join(volume, "plugins/core.so")); err != nil {
		t.Fatal(err)
	}
	if copied, err := Fill(image, "/usr/share/app", volume); err != nil || copied {
		t.Fatalf("Fill into a volume with data = %v, %v; want it left alone", copied, err)
	}
	if got := read(t, filepath.Join(volume, "default.conf")); got != "listen 8080\n" {
		t.Errorf("the application's default.conf became %q", got)
	}
	if _, err := os.Stat(filepath.Join(volume, "plugins/core.so")); !os.IsNotExist(err) {
		t.Errorf("a file the application deleted came back: %v", err)
	}

	for _, nothing := range []string{"/missing", "/usr/share/app/default.conf"} {
		if copied, err := Fill(image, nothing, t.TempDir()); err != nil || copied {
			t.Errorf("Fill from %s = %v, %v; want nothing copied", nothing, copied, err)
		}
	}
}

// TestFillStaysInsideTheImage: links resolve inside the image, as docker
// resolves them: an absolute link in the mount path leads to the image's
// own directory, one that climbs out (../../..) or names a host path finds
// nothing there, and a link inside the tree is copied as a link, never
// followed, so no file of the machine running the copy reaches the
// volume.
func TestFillStaysInsideTheImage(t *testing.T) {
	t.Parallel()
	host := t.TempDir()
	mustWrite(t, filepath.Join(host, "secret"), "the node's\n", 0o600)
	image := t.TempDir()
	mustWrite(t, filepath.Join(image, "usr/share/app/default.conf"), "listen 80\n", 0o644)
	links := map[string]string{
		"srv":                      "/usr/share/app", // absolute, inside the image
		"climb":                    "../../../../../../.." + host,
		"hostpath":                 host,
		"usr/share/app/escape":     host,
		"usr/share/app/escape-rel": "../../../../../../.." + host + "/secret",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(image, name)); err != nil {
			t.Fatal(err)
		}
	}
	volume := t.TempDir()
	if copied, err := Fill(image, "/srv", volume); err != nil || !copied {
		t.Fatalf("Fill through /srv (a link to /usr/share/app) = %v, %v; want the image's directory copied", copied, err)
	}
	if got := read(t, filepath.Join(volume, "default.conf")); got != "listen 80\n" {
		t.Errorf("default.conf through the link = %q", got)
	}
	for _, link := range []string{"escape", "escape-rel"} {
		info, err := os.Lstat(filepath.Join(volume, link))
		if err != nil || info.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s in the volume: %v, %v; want the link itself", link, info, err)
		}
	}
	for _, out := range []string{"/climb", "/hostpath", "/climb/secret", "/hostpath/.", "/climb/."} {
		v := t.TempDir()
		if copied, err := Fill(image, out, v); err != nil || copied {
			t.Errorf("Fill from %s = %v, %v; want nothing (the host's %s is not the image's)", out, copied, err, host)
		}
	}
}

func mustWrite(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
