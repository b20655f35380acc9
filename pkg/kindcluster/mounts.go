package kindcluster

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"

	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
	"github.com/kubectl-stack/kubectl-stack/pkg/yamlstrict"
)

// Mount states of a check.
const (
	MountOK       = "OK"
	MountMissing  = "MISSING"
	MountMismatch = "MISMATCH"
)

// MountCheck is one required mount compared with the live node.
type MountCheck struct {
	ContainerPath string `json:"containerPath"`
	Expected      string `json:"expectedHostPath"`
	Live          string `json:"liveHostPath,omitempty"`
	State         string `json:"state"`
}

// Required lists the mounts of a kind config (every node's extraMounts).
func Required(c *v1alpha4.Cluster) map[string]string {
	out := map[string]string{}
	for _, n := range c.Nodes {
		for _, m := range n.ExtraMounts {
			out[filepath.Clean(m.ContainerPath)] = m.HostPath
		}
	}
	return out
}

// CompareMounts checks required mounts (container path → host path)
// against the live bind mounts of the control-plane node (destination →
// source). Host paths are compared resolved (symlinks followed) and
// cleaned. A required mount is also satisfied when a live mount of a
// parent directory brings the same host path to the same place: the
// umbrella /mnt holds /mnt/a/b when its source holds a/b, on whole path
// elements.
func CompareMounts(required, live map[string]string) []MountCheck {
	var out []MountCheck
	for _, cp := range sortedPaths(required) {
		want := required[cp]
		row := MountCheck{ContainerPath: cp, Expected: want, State: MountMissing}
		if src, ok := HostPathOf(cp, live); ok {
			row.Live = src
			row.State = MountMismatch
			if samePath(src, want) {
				row.State = MountOK
			}
		}
		out = append(out, row)
	}
	return out
}

// coveringMount finds the deepest live mount whose destination contains cp.
func coveringMount(cp string, live map[string]string) (string, string, bool) {
	best := ""
	for dest := range live {
		if _, ok := spec.Within(dest, cp); ok && dest != cp && len(dest) > len(best) {
			best = dest
		}
	}
	if best == "" {
		return "", "", false
	}
	return best, live[best], true
}

func samePath(a, b string) bool {
	return resolve(a) == resolve(b)
}

// resolve cleans p and follows symlinks where the path exists.
func resolve(p string) string {
	p = filepath.Clean(p)
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

func sortedPaths(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// MountProblems explains failed checks with the fix: point kind-mount-root
// at the live umbrella when the cluster has one, else recreate the cluster
// with an umbrella (the seed's procedure).
func MountProblems(cluster string, checks []MountCheck, live map[string]string) error {
	var bad []string
	for _, c := range checks {
		if c.State != MountOK {
			got := c.Live
			if got == "" {
				got = "NOT MOUNTED"
			}
			bad = append(bad, fmt.Sprintf("  - %s: expected host path %s, live %s", c.ContainerPath, c.Expected, got))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	msg := fmt.Sprintf("this deployment needs mounts that the running kind cluster %q does not have:\n%s\n", cluster, strings.Join(bad, "\n"))
	if root, ok := live[NodeMountRoot]; ok {
		msg += fmt.Sprintf("The cluster has an umbrella mount %s -> %s. Fix: set kind-mount-root: %s in spec.yml, keep the volumes' host paths under %s/, then run kubectl stack create --update.", root, NodeMountRoot, root, root)
	} else {
		msg += "The cluster has no umbrella mount, and kind adds mounts only at creation. Fix: back up data that lives only inside the node (PVCs without host paths), set the same kind-mount-root in every stack's spec.yml with host paths under it, stop every deployment, delete the cluster (kubectl stack kind delete), and let the next deploy recreate it."
	}
	return fmt.Errorf("%s", msg)
}

// LoadConfig reads a kind config file written by create.
func LoadConfig(path string) (*v1alpha4.Cluster, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading kind config: %w", err)
	}
	c := &v1alpha4.Cluster{}
	if err := yamlstrict.DecodeLenient(data, c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// HostPathOf returns the host path behind a path inside the node, when a
// live bind mount (destination → source) brings it from the host: data
// there survives deleting the cluster. Data anywhere else lives in the
// node container and goes with it.
func HostPathOf(nodePath string, live map[string]string) (string, bool) {
	if nodePath == "" {
		return "", false
	}
	nodePath = filepath.Clean(nodePath)
	if src, ok := live[nodePath]; ok {
		return src, true
	}
	if parent, src, ok := coveringMount(nodePath, live); ok {
		return filepath.Join(src, strings.TrimPrefix(nodePath, parent)), true
	}
	return "", false
}

// PrepareMountSources creates missing host directories of the config's
// mounts, so that they are directories owned by the caller rather than
// created by the container engine as root, and so that their host mount
// can be checked. Existing paths are never touched.
func PrepareMountSources(cfg *v1alpha4.Cluster) error {
	for _, host := range Required(cfg) {
		if _, err := os.Stat(host); errors.Is(err, os.ErrNotExist) {
			if err := os.MkdirAll(host, 0o755); err != nil {
				return fmt.Errorf("creating the kind mount source %s: %w", host, err)
			}
		}
	}
	return nil
}
