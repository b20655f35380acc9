package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

type distOptions struct {
	Version   string
	Out       string
	Platforms []string
}

// Metadata is dist/metadata.json: what krew-manifest needs to know of a dist.
type Metadata struct {
	Version   string   `json:"version"`
	Commit    string   `json:"commit"`
	Date      string   `json:"date"`
	Platforms []string `json:"platforms"`
}

// semver is krew's version rule: v, then semantic versioning.
var semver = regexp.MustCompile(`^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`)

// archiveFiles are the files every archive holds beside the binary, by
// their name in the archive; executables get mode 0755.
var archiveFiles = map[string]string{
	"LICENSE":                        "LICENSE",
	"README.md":                      "README.md",
	"kubectl_complete-stack":         "hack/kubectl_complete-stack",
	"kubectl_complete-compose_stack": "hack/kubectl_complete-compose_stack",
}

// dist reads and checks every input first, builds into a staging
// directory beside Out, and replaces Out only when everything is built.
func dist(o distOptions) error {
	if _, err := os.Stat("go.mod"); err != nil {
		return fmt.Errorf("run from the repository root (make dist): %w", err)
	}
	commit, when, err := headCommit()
	if err != nil {
		return err
	}
	dirty, err := uncommitted()
	if err != nil {
		return err
	}
	if o.Version == "" {
		o.Version = defaultVersion(commit, dirty)
	} else if dirty {
		return fmt.Errorf("-version %s: the checkout has uncommitted changes (git status); a release is built from a commit: commit them, or build a snapshot without -version", o.Version)
	}
	if !semver.MatchString(o.Version) {
		return fmt.Errorf("-version %q: krew needs v and a semantic version, e.g. v0.2.0 or v0.2.0-rc.1", o.Version)
	}
	if len(o.Platforms) == 0 {
		o.Platforms = Platforms
	}
	for _, p := range o.Platforms {
		if !slices.Contains(Platforms, p) {
			return fmt.Errorf("-platforms: %q is not a release platform (%s)", p, strings.Join(Platforms, ", "))
		}
	}
	files := map[string][]byte{}
	for name, path := range archiveFiles {
		if files[name], err = os.ReadFile(path); err != nil {
			return fmt.Errorf("reading %s for the archives: %w", path, err)
		}
	}
	stage, err := os.MkdirTemp(filepath.Dir(filepath.Clean(o.Out)), ".dist-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stage)
	if err := os.Chmod(stage, 0o755); err != nil {
		return err
	}
	var archives []string
	for _, p := range o.Platforms {
		name, err := buildArchive(stage, stamp{o.Version, commit, when}, p, files)
		if err != nil {
			return err
		}
		archives = append(archives, name)
	}
	if err := writeChecksums(stage, archives); err != nil {
		return err
	}
	meta := Metadata{Version: o.Version, Commit: commit, Date: when.UTC().Format(time.RFC3339), Platforms: o.Platforms}
	data, _ := json.MarshalIndent(meta, "", "  ")
	if err := os.WriteFile(filepath.Join(stage, "metadata.json"), append(data, '\n'), 0o644); err != nil {
		return err
	}
	if err := os.RemoveAll(o.Out); err != nil {
		return err
	}
	if err := os.Rename(stage, o.Out); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "dist: %s (%s) for %s in %s\n", o.Version, commit[:12], strings.Join(o.Platforms, ", "), o.Out)
	return nil
}

// stamp is what a release binary says it is.
type stamp struct {
	Version, Commit string
	Date            time.Time
}

// ldflags strip the binary and stamp it. The toolchain's own VCS stamp is
// off (-buildvcs=false): it would call the checkout modified as soon as
// the staging directory holds an archive, and differ between runs.
func (s stamp) ldflags() string {
	const pkg = "github.com/kubectl-stack/kubectl-stack/pkg/version"
	return fmt.Sprintf("-s -w -buildid= -X %s.Version=%s -X %s.commit=%s -X %s.date=%s",
		pkg, s.Version, pkg, s.Commit, pkg, s.Date.UTC().Format(time.RFC3339))
}

// buildArchive cross-builds the plugin for platform and packs it.
func buildArchive(stage string, s stamp, platform string, files map[string][]byte) (string, error) {
	version, when := s.Version, s.Date
	goos, goarch, _ := strings.Cut(platform, "/")
	bin := "kubectl-stack"
	if goos == "windows" {
		bin += ".exe"
	}
	out := filepath.Join(stage, "build", goos+"_"+goarch, bin)
	start := time.Now()
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags", s.ldflags(), "-o", out, "./cmd/kubectl-stack")
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0", "GOFLAGS=")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building for %s: %w", platform, err)
	}
	binary, err := os.ReadFile(out)
	if err != nil {
		return "", err
	}
	entries := []entry{{Name: bin, Data: binary, Exec: true}}
	for name, data := range files {
		entries = append(entries, entry{Name: name, Data: data, Exec: strings.HasPrefix(name, "kubectl_complete-")})
	}
	name := fmt.Sprintf("kubectl-stack_%s_%s_%s", version, goos, goarch)
	if goos == "windows" {
		name += ".zip"
		err = writeZip(filepath.Join(stage, name), entries, when)
	} else {
		name += ".tar.gz"
		err = writeTarGz(filepath.Join(stage, name), entries, when)
	}
	if err != nil {
		return "", fmt.Errorf("packing %s: %w", name, err)
	}
	fmt.Fprintf(os.Stderr, "dist: %s: binary %.1f MB, built in %s\n", name, float64(len(binary))/1e6, time.Since(start).Round(time.Second))
	return name, os.RemoveAll(filepath.Join(stage, "build"))
}

// writeChecksums writes checksums.txt as sha256sum does, sorted by name.
func writeChecksums(dir string, archives []string) error {
	sort.Strings(archives)
	var b strings.Builder
	for _, a := range archives {
		data, err := os.ReadFile(filepath.Join(dir, a))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(sum[:]), a)
	}
	return os.WriteFile(filepath.Join(dir, "checksums.txt"), []byte(b.String()), 0o644)
}

// headCommit is HEAD's hash and commit time (the archives' mtime).
func headCommit() (string, time.Time, error) {
	out, err := exec.Command("git", "log", "-1", "--format=%H %ct").Output()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("reading HEAD with git (dist needs a git checkout): %w", err)
	}
	hash, secs, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	n, err := strconv.ParseInt(secs, 10, 64)
	if err != nil || len(hash) < 12 {
		return "", time.Time{}, fmt.Errorf("unexpected git log output %q", out)
	}
	return hash, time.Unix(n, 0), nil
}

// defaultVersion is the tag at HEAD of a clean checkout, else a snapshot
// version naming the commit, -dirty with uncommitted changes (a valid krew
// version, sorting before every release).
func defaultVersion(commit string, dirty bool) string {
	out, err := exec.Command("git", "describe", "--tags", "--exact-match", "HEAD").Output()
	if tag := strings.TrimSpace(string(out)); err == nil && semver.MatchString(tag) && !dirty {
		return tag
	}
	if dirty {
		return "v0.0.0-snapshot-" + commit[:12] + "-dirty"
	}
	return "v0.0.0-snapshot-" + commit[:12]
}

// uncommitted reports whether tracked files differ from HEAD (untracked
// ones, such as dist/ itself, do not count).
func uncommitted() (bool, error) {
	out, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output()
	if err != nil {
		return false, fmt.Errorf("git status: %w", err)
	}
	return len(strings.TrimSpace(string(out))) > 0, nil
}

func splitPlatforms(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
