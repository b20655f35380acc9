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
// or has as a file or link, copies nothing.
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
	copied, err := Fill(from, volume)
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
	if copied, err := Fill(from, volume); err != nil || copied {
		t.Fatalf("Fill into a volume with data = %v, %v; want it left alone", copied, err)
	}
	if got := read(t, filepath.Join(volume, "default.conf")); got != "listen 8080\n" {
		t.Errorf("the application's default.conf became %q", got)
	}
	if _, err := os.Stat(filepath.Join(volume, "plugins/core.so")); !os.IsNotExist(err) {
		t.Errorf("a file the application deleted came back: %v", err)
	}

	if copied, err := Fill(filepath.Join(image, "missing"), t.TempDir()); err != nil || copied {
		t.Errorf("Fill from a path the image lacks = %v, %v; want nothing copied", copied, err)
	}
	for _, notDir := range []string{"default.conf", "current.conf"} {
		if copied, err := Fill(filepath.Join(from, notDir), t.TempDir()); err != nil || copied {
			t.Errorf("Fill from %s (no directory) = %v, %v; want nothing copied", notDir, copied, err)
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
