package deployment

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/kubectl-stack/kubectl-stack/pkg/bindsrc"
	"github.com/kubectl-stack/kubectl-stack/pkg/kindcluster"
)

// HostPathsFile records, in D, the host paths the compose files bind, as
// create resolved them: a ~ is expanded for the operator who ran create,
// and a relative source that leaves the stack is made absolute against the
// stack, not against D's copy. render uses these paths.
const HostPathsFile = "host-paths.yml"

// HostPath is one bind of a host path.
type HostPath struct {
	// Pod is the pod (or job) as stack.yml names it.
	Pod string `yaml:"pod"`
	// Source is the bind source as the compose file writes it.
	Source string `yaml:"source"`
	// Path is the absolute host path.
	Path string `yaml:"path"`
}

type hostPathsDoc struct {
	Binds []HostPath `yaml:"binds"`
}

// ReadHostPaths reads D/host-paths.yml; a directory without one (laconic-so's,
// or one created before the file existed) has none recorded.
func ReadHostPaths(dir string) ([]HostPath, error) {
	doc, err := readRecordFile[hostPathsDoc](dir, HostPathsFile)
	return doc.Binds, err
}

// LookupHostPath returns the recorded host path of a pod's bind source.
func LookupHostPath(paths []HostPath, pod, source string) (string, bool) {
	for _, h := range paths {
		if h.Pod == pod && h.Source == source {
			return h.Path, true
		}
	}
	return "", false
}

// addHostPathsFile writes the record and, on an update, warns about every
// ~ source that now expands to another path than when D was created (an
// update run by another user or on another machine).
func (b *builder) addHostPathsFile() {
	paths := b.plan.HostPaths
	slices.SortFunc(paths, func(a, c HostPath) int { return strings.Compare(a.Pod+"\x00"+a.Source, c.Pod+"\x00"+c.Source) })
	paths = slices.Compact(paths)
	b.plan.HostPaths = paths
	old, err := ReadHostPaths(b.plan.Dir)
	if err != nil {
		b.fail("reading %s: %v", filepath.Join(b.plan.Dir, HostPathsFile), err)
		return
	}
	for _, h := range paths {
		if prev, ok := LookupHostPath(old, h.Pod, h.Source); ok && prev != h.Path {
			b.warn("pod %s: bind source %q was %s when %s was last written and is %s now (another user or machine?); %s is used from now on",
				h.Pod, h.Source, prev, b.plan.Dir, h.Path, h.Path)
		}
	}
	if len(paths) == 0 {
		return
	}
	b.addRecordFile(HostPathsFile, hostPathsDoc{Binds: paths},
		"# Host paths bound by the stack's compose files, as kubectl stack create resolved them.\n# Rewritten by create --update; render and deploy read it.\n")
}

// HostBindVolumes are the kind mounts that the host-path binds need: one
// per distinct path, except system paths, which are the node container's
// own.
func HostBindVolumes(paths []HostPath) []kindcluster.HostVolume {
	var out []kindcluster.HostVolume
	seen := map[string]bool{}
	for _, h := range paths {
		if _, system := bindsrc.SystemPath(h.Path); system || seen[h.Path] {
			continue
		}
		seen[h.Path] = true
		out = append(out, kindcluster.HostVolume{Name: bindsrc.HostVolumeName(h.Path), HostPath: h.Path})
	}
	return out
}
