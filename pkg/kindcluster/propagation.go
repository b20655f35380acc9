package kindcluster

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"

	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// hostMount is one line of /proc/self/mountinfo, reduced to what the
// propagation check needs.
type hostMount struct {
	point string
	// propagates is true for shared and slave mounts: Docker accepts
	// HostToContainer (rslave) binds only below those.
	propagates bool
}

// CheckPropagation fails when a HostToContainer mount of the config lies on
// a private host mount: Docker then refuses to start the node ("path ... is
// mounted on / but it is not a shared or slave mount"), after kind has
// already spent its time. The check reads this process's mount table,
// which is the Docker engine's on a normal host. When this process visibly
// runs in another mount namespace than PID 1 (in a container talking to
// the host's engine) it cannot tell, and leaves the verdict to Docker.
func CheckPropagation(cfg *v1alpha4.Cluster) error {
	self, err1 := os.Readlink("/proc/self/ns/mnt")
	host, err2 := os.Readlink("/proc/1/ns/mnt")
	if err1 == nil && err2 == nil && self != host {
		return nil
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil // not Linux, or no procfs: nothing to predict
	}
	defer f.Close()
	mounts, err := parseMountInfo(f)
	if err != nil {
		return nil
	}
	return checkPropagation(cfg, mounts)
}

func checkPropagation(cfg *v1alpha4.Cluster, mounts []hostMount) error {
	for _, n := range cfg.Nodes {
		for _, m := range n.ExtraMounts {
			if m.Propagation != v1alpha4.MountPropagationHostToContainer {
				continue
			}
			if at, ok := mountOf(resolve(m.HostPath), mounts); ok && !at.propagates {
				return fmt.Errorf("kind cannot bind %s into the node with HostToContainer propagation: "+
					"it lies on the host mount %s, which is private. Fix (as root): mount --make-rshared %s, "+
					"then create the cluster again (make it permanent in /etc/fstab or your init system)", m.HostPath, at.point, at.point)
			}
		}
	}
	return nil
}

// mountOf returns the deepest mount holding path.
func mountOf(path string, mounts []hostMount) (hostMount, bool) {
	var best hostMount
	found := false
	for _, m := range mounts {
		if _, ok := spec.Within(m.point, path); ok && (!found || len(m.point) >= len(best.point)) {
			best, found = m, true
		}
	}
	return best, found
}

// parseMountInfo reads mountinfo lines: "id parent major:minor root point
// options optional-fields... - fstype source super-options".
func parseMountInfo(r io.Reader) ([]hostMount, error) {
	var out []hostMount
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 7 {
			continue
		}
		m := hostMount{point: unescapeMountPath(fields[4])}
		for _, opt := range fields[6:] {
			if opt == "-" {
				break
			}
			if strings.HasPrefix(opt, "shared:") || strings.HasPrefix(opt, "master:") {
				m.propagates = true
			}
		}
		out = append(out, m)
	}
	return out, sc.Err()
}

// unescapeMountPath undoes mountinfo's octal escapes (\040 for a space).
func unescapeMountPath(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var c byte
			if _, err := fmt.Sscanf(s[i+1:i+4], "%03o", &c); err == nil {
				b.WriteByte(c)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
