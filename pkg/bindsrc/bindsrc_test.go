package bindsrc

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
)

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestScanTree(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, filepath.Join(root, "prov/datasources/ds.yaml"), "a: 1\n")
	write(t, filepath.Join(root, "prov/dashboards/d.json"), "{}")
	write(t, filepath.Join(root, "shared.txt"), "shared")
	if err := os.Symlink("../shared.txt", filepath.Join(root, "prov/link.txt")); err != nil {
		t.Fatal(err)
	}
	tree, err := Scan(filepath.Join(root, "prov"), root)
	if err != nil {
		t.Fatal(err)
	}
	var rels []string
	for _, f := range tree.Files {
		rels = append(rels, f.Rel)
	}
	if got := strings.Join(rels, ","); got != "dashboards/d.json,datasources/ds.yaml,link.txt" || !tree.Nested || tree.Total != 5+2+6 {
		t.Errorf("Scan = %s nested=%v total=%d", got, tree.Nested, tree.Total)
	}
	if tree.Files[2].Path != filepath.Join(root, "shared.txt") {
		t.Errorf("a link inside the stack reads its target, got %s", tree.Files[2].Path)
	}
}

func TestScanRefuses(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	write(t, filepath.Join(outside, "secret"), "s")
	cases := map[string]struct {
		setup func(dir string) error
		want  string
	}{
		"link out of the stack": {func(dir string) error { return os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "x")) }, "outside the stack"},
		"absolute link to /etc": {func(dir string) error { return os.Symlink("/etc/hostname", filepath.Join(dir, "x")) }, "is a link to /etc/hostname"},
		"fifo":                  {func(dir string) error { return syscall.Mkfifo(filepath.Join(dir, "x"), 0o644) }, "named pipe (FIFO)"},
		"link loop":             {func(dir string) error { return os.Symlink(".", filepath.Join(dir, "x")) }, "endless"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			dir := filepath.Join(root, "conf")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := c.setup(dir); err != nil {
				t.Fatal(err)
			}
			if _, err := Scan(dir, root); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Scan = %v, want an error containing %q", err, c.want)
			}
			// The entry itself as the bind source, too.
			if _, err := Scan(filepath.Join(dir, "x"), root); c.want != "endless" && (err == nil || !strings.Contains(err.Error(), c.want)) {
				t.Errorf("Scan(entry) = %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func TestSystemPath(t *testing.T) {
	t.Parallel()
	for p, want := range map[string]bool{"/": true, "/proc": true, "/proc/1": true, "/var/run/docker.sock": true,
		"/sys/fs/cgroup": true, "/lib/modules": true, "/run/udev": true, "/dev/zero": true,
		"/srv/data": false, "/devices": false, "/home/me/.kube/config": false} {
		if _, got := SystemPath(p); got != want {
			t.Errorf("SystemPath(%s) = %v, want %v", p, got, want)
		}
	}
}

func TestHostVolumeName(t *testing.T) {
	t.Parallel()
	if got := HostVolumeName("/var/run/docker.sock"); !k8sname.IsLabel(got) || !strings.HasPrefix(got, "host-var-run-docker-sock-") {
		t.Errorf("HostVolumeName = %q", got)
	}
	a, b := HostVolumeName("/srv/a_b"), HostVolumeName("/srv/a.b")
	if a == b || !k8sname.IsLabel(a) || !k8sname.IsLabel(b) {
		t.Errorf("HostVolumeName(/srv/a_b)=%q, (/srv/a.b)=%q: want two distinct labels", a, b)
	}
	if got := HostVolumeName("/srv/data"); got != "host-srv-data" {
		t.Errorf("HostVolumeName(/srv/data) = %q", got)
	}
	long := HostVolumeName("/" + strings.Repeat("very-long-directory/", 8))
	if len(long) > k8sname.MaxLabel || !k8sname.IsLabel(long) {
		t.Errorf("long name %q", long)
	}
}

// A link in a directory component of the bind source (./etc-link/hostname
// with etc-link -> /etc) leads out of the stack as a linked file does.
func TestScanRefusesLinksInDirectoryComponents(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for link, target := range map[string]string{"etc-link": "/etc", "proc-link": "/proc"} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	for _, src := range []string{"etc-link/hostname", "proc-link/self/environ", "proc-link/self/pagemap", "proc-link/self", "etc-link"} {
		if _, err := Scan(filepath.Join(root, src), root); err == nil || !strings.Contains(err.Error(), "outside the stack") {
			t.Errorf("Scan(%s) = %v, want a refusal naming the link out of the stack", src, err)
		}
		if _, err := ReadFile(filepath.Join(root, src), root, ReadLimit); err == nil || !strings.Contains(err.Error(), "outside") {
			t.Errorf("ReadFile(%s) = %v, want a refusal", src, err)
		}
	}
}

// ReadFile never trusts the reported size: a file under /proc reports 0
// bytes and may hold anything; a limit is a hard limit.
func TestReadFileHasAHardLimit(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, filepath.Join(root, "big"), strings.Repeat("x", 100))
	if _, err := ReadFile(filepath.Join(root, "big"), root, 99); err == nil || !strings.Contains(err.Error(), "more than 99 bytes") {
		t.Errorf("ReadFile over the limit = %v", err)
	}
	if data, err := ReadFile(filepath.Join(root, "big"), root, 100); err != nil || len(data) != 100 {
		t.Errorf("ReadFile at the limit = %d bytes, %v", len(data), err)
	}
	// /proc itself as the root: a file reporting size 0 is cut at the limit.
	if _, err := ReadFile("/proc/self/status", "/proc", 64); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("ReadFile(/proc/self/status) = %v, want the limit to cut it", err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(filepath.Join(root, "fifo"), root, 10); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("ReadFile(fifo) = %v", err)
	}
}

func TestInside(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if err := os.Symlink("/etc", filepath.Join(root, "etc-link")); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{"a/b": true, "missing/x": true, "etc-link/passwd": false, "etc-link/missing": false, "../x": false, ".": true} {
		if got := Inside(filepath.Join(root, p), root); got != want {
			t.Errorf("Inside(%s) = %v, want %v", p, got, want)
		}
	}
}
