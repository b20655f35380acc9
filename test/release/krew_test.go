package release

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

// krewTools builds (or reuses) krew and validate-krew-manifest from the
// pinned sigs.k8s.io/krew, and finds kubectl; outside CI a missing kubectl
// skips, in CI it fails.
func krewTools(t *testing.T) (krew, validate, kubectl string) {
	t.Helper()
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("kubectl is required in CI: hack/test.sh installs it")
		}
		t.Skip("kubectl is not installed")
	}
	out, err := exec.Command(filepath.Join(root, "hack/krew-tools.sh")).Output()
	if err != nil {
		t.Fatalf("hack/krew-tools.sh: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	return filepath.Join(dir, "krew"), filepath.Join(dir, "validate-krew-manifest"), kubectl
}

// manifestFor renders .krew.yaml with the dist's archives.
func manifestFor(t *testing.T, dist string, extra ...string) (string, error) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "compose-stack.yaml")
	err := runIn(root, nil, releaseTool(t), append([]string{"krew-manifest", "-dist", dist, "-out", out}, extra...)...)
	return out, err
}

// TestKrewInstallsThePlugin: the manifest made from the host platform's
// archive passes krew's validator; kubectl krew installs it from the
// archive into a fresh KREW_ROOT whose index is a clone of a custom index
// (as README's install section has it); kubectl finds the plugin as
// "kubectl compose-stack", whose version is the dist's; uninstall leaves
// nothing behind.
func TestKrewInstallsThePlugin(t *testing.T) {
	krew, validate, kubectl := krewTools(t)
	d := dist(t)
	version, commit := readMetadata(t, d)
	manifest, err := manifestFor(t, d, "-partial")
	if err != nil {
		t.Fatal(err)
	}
	output(t, nil, validate, "-manifest", manifest, "-skip-install")

	home := t.TempDir()
	krewRoot, pathDir, index := filepath.Join(home, "krew"), filepath.Join(home, "path"), filepath.Join(home, "index")
	testutil.WriteFile(t, index, "plugins/compose-stack.yaml", testutil.ReadFile(t, manifest))
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "index"}} {
		if err := runIn(index, nil, "git", args...); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(pathDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(krew, filepath.Join(pathDir, "kubectl-krew")); err != nil {
		t.Fatal(err)
	}
	env := []string{"KREW_ROOT=" + krewRoot, "KREW_NO_UPGRADE_CHECK=1", "HOME=" + home,
		"PATH=" + filepath.Join(krewRoot, "bin") + string(os.PathListSeparator) + pathDir + string(os.PathListSeparator) + os.Getenv("PATH")}

	output(t, env, kubectl, "krew", "index", "add", "kubectl-stack", index)
	if out := output(t, env, kubectl, "krew", "search", "compose-stack"); !strings.Contains(out, "kubectl-stack/compose-stack") {
		t.Errorf("krew search does not find the plugin in the custom index:\n%s", out)
	}
	output(t, env, kubectl, "krew", "install", "--manifest="+manifest, "--archive="+archiveOf(t, d))

	var info struct{ Version, Commit string }
	out := output(t, env, kubectl, "compose-stack", "version", "-o", "json")
	if err := json.Unmarshal([]byte(out), &info); err != nil || info.Version != version || info.Commit != commit {
		t.Errorf("kubectl compose-stack version -o json = %s (%v), want version %s and commit %s", out, err, version, commit)
	}
	if help := output(t, env, kubectl, "compose-stack", "status", "--help"); !strings.Contains(help, "kubectl compose-stack status -d ./my-deployment") {
		t.Errorf("help under krew's name does not use it:\n%s", help)
	}
	if list := output(t, env, kubectl, "plugin", "list"); !strings.Contains(list, filepath.Join(krewRoot, "bin", "kubectl-compose_stack")) {
		t.Errorf("kubectl plugin list does not show the installed plugin:\n%s", list)
	}

	output(t, env, kubectl, "krew", "uninstall", "compose-stack")
	for _, leftover := range []string{"bin/kubectl-compose_stack", "store/compose-stack", "receipts/compose-stack.yaml"} {
		if _, err := os.Lstat(filepath.Join(krewRoot, leftover)); !os.IsNotExist(err) {
			t.Errorf("uninstall left %s behind (%v)", leftover, err)
		}
	}
}

// TestManifestCoversEveryPlatform: from a dist of all six platforms (fake
// archives: only their names and checksums matter here), krew-manifest
// writes every platform with its archive's sha256 and krew's validator
// accepts it; a dist short of a platform is refused, naming the archive.
func TestManifestCoversEveryPlatform(t *testing.T) {
	_, validate, _ := krewTools(t)
	d := t.TempDir()
	var sums strings.Builder
	var platforms []string
	for _, p := range []string{"darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64", "windows/amd64", "windows/arm64"} {
		ext := ".tar.gz"
		if strings.HasPrefix(p, "windows/") {
			ext = ".zip"
		}
		name := "kubectl-stack_v1.2.3_" + strings.ReplaceAll(p, "/", "_") + ext
		sum := sha256.Sum256([]byte(name))
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(sum[:]), name)
		platforms = append(platforms, p)
	}
	meta, _ := json.Marshal(map[string]any{"version": "v1.2.3", "commit": strings.Repeat("a", 40), "platforms": platforms})
	testutil.WriteFile(t, d, "metadata.json", string(meta))
	testutil.WriteFile(t, d, "checksums.txt", sums.String())

	manifest, err := manifestFor(t, d)
	if err != nil {
		t.Fatal(err)
	}
	text := testutil.ReadFile(t, manifest)
	for _, line := range strings.Split(strings.TrimSpace(sums.String()), "\n") {
		sum, name, _ := strings.Cut(line, "  ")
		if !strings.Contains(text, "/v1.2.3/"+name+"\n    sha256: "+sum+"\n") {
			t.Errorf("the manifest lacks %s with its sha256:\n%s", name, text)
		}
	}
	if !strings.Contains(text, "version: v1.2.3\n") || !strings.Contains(text, "name: compose-stack\n") {
		t.Errorf("manifest version or name:\n%s", text)
	}
	output(t, nil, validate, "-manifest", manifest, "-skip-install")

	lines := strings.SplitAfter(sums.String(), "\n")
	testutil.WriteFile(t, d, "checksums.txt", strings.Join(lines[1:], ""))
	if _, err := manifestFor(t, d); err == nil || !strings.Contains(err.Error(), "kubectl-stack_v1.2.3_darwin_amd64.tar.gz") {
		t.Errorf("a dist without darwin/amd64 = %v, want it refused naming the archive", err)
	}
}
