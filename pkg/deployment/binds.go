package deployment

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/kubectl-stack/kubectl-stack/pkg/bindsrc"
	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
	"github.com/kubectl-stack/kubectl-stack/pkg/stack"
)

// ConfigMapBudget is the most raw bytes a bind of stack content may hold: a
// ConfigMap is limited to 1 MiB, and base64 plus object overhead need the
// rest (laconic-so's limit, 700 KiB).
const ConfigMapBudget = 700 * 1024

// InStack reports whether a bind is the stack's own content (a relative
// source that stays inside the pod's root), which becomes a ConfigMap.
// Anything else (an absolute or ~ source, or a relative one leaving the
// stack) is a host path, as docker compose means it, and is never read.
func InStack(bind compose.Bind, root string) bool {
	if !compose.IsRelativeSource(bind.Source) {
		return false
	}
	_, inside := spec.Within(root, bind.Resolved)
	return inside
}

func (b *builder) checkBind(lp loadedPod, bind compose.Bind) {
	where := fmt.Sprintf("%s: pod %s, service %s: bind %q", lp.pod.ComposeFile, lp.pod.Name, lp.file.ServiceName(bind.Service), bind.Source+":"+bind.Target)
	if !InStack(bind, lp.pod.Root) {
		if what, ok := OwnFilesIn(b.plan.Dir, bind.Resolved); ok {
			b.fail("%s would give the container %s of the deployment directory %s; nothing kubectl-stack keeps for itself is ever bound into a container: bind a directory that does not hold the deployment directory", where, what, b.plan.Dir)
			return
		}
		b.noteHostBind(lp, bind, where)
		return
	}
	if bind.ExplicitRW {
		b.fail("%s is writable (rw), but a bind of the stack's own files becomes a read-only ConfigMap; for writable data use a named volume with a host path in spec.yml volumes (under kind-mount-root on kind)", where)
		return
	}
	tree, err := bindsrc.Scan(bind.Resolved, lp.pod.Root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		b.fail("%s: %s", where, missingSource(lp.pod, bind))
	case err != nil:
		b.fail("%s: %v", where, err)
	case tree.Total > ConfigMapBudget:
		b.fail("%s: %s holds %d bytes, over the ConfigMap budget of %d bytes; bake the files into the image, split the bind, or use a named volume", where, bind.Resolved, tree.Total, ConfigMapBudget)
	case tree.IsDir && len(tree.Files) == 0:
		b.warn("%s: %s is empty, so the container gets an empty read-only directory; if the container writes data there, use a named volume (with a host path in spec.yml volumes) instead", where, bind.Resolved)
	}
}

// missingSource says what to create or clone for a bind source the stack
// does not have. docker compose creates a missing bind directory, which
// stacks use for data ("./postgres:/var/lib/postgresql/data"); on
// Kubernetes a bind of the stack's files is read-only content, so such
// data wants a named volume.
func missingSource(pod stack.Pod, bind compose.Bind) string {
	if base := filepath.Base(bind.Source); filepath.Ext(base) != "" && filepath.Ext(base) != base {
		// A missing directory would have become a data volume; this is a
		// file the stack must ship.
		return fmt.Sprintf("source %s does not exist: it names a file the stack must ship (docker compose would create a directory there, which the service cannot use); create it under %s, or check out the revision of the stack that has it", bind.Resolved, pod.Root)
	}
	data := fmt.Sprintf("if it is data the container writes (docker compose creates missing bind directories), use a named volume instead (in the compose file: - %s:%s, and %s: under volumes:; in spec.yml volumes: a host path for it)",
		compose.VolumeNameFor(bind.Source), bind.Target, compose.VolumeNameFor(bind.Source))
	if pod.Ref.Repository != "" {
		return fmt.Sprintf("source %s does not exist in the checkout of %s at %s: check out the revision the stack expects there (CERC_REPO_BASE_DIR sets the base directory) or create it; %s", bind.Resolved, pod.Ref.Repository, pod.Root, data)
	}
	return fmt.Sprintf("source %s does not exist: if it is content the stack ships, create it under %s; %s", bind.Resolved, pod.Root, data)
}

// noteHostBind records a bind of a host path and warns about what it gives
// the container, as docker compose would have it: that host path (on the
// node that runs the pod), read-write unless :ro.
func (b *builder) noteHostBind(lp loadedPod, bind compose.Bind, where string) {
	b.plan.HostPaths = append(b.plan.HostPaths, HostPath{Pod: lp.pod.Name, Source: bind.Source, Path: bind.Resolved})
	kind := b.plan.Spec.DeployTo == spec.DeployToKind
	if what, ok := bindsrc.SystemPath(bind.Resolved); ok {
		node := "the node's own " + bind.Resolved
		if kind {
			node = "the kind node container's own " + bind.Resolved + " (not the host's)"
		}
		b.warn("%s binds %s: the container gets %s, which gives it %s", where, bind.Resolved, node, what)
		return
	}
	if !kind {
		b.warn("%s is a host path: the container gets %s of whichever node runs the pod; it must exist there", where, bind.Resolved)
		return
	}
	root := b.plan.Spec.KindMountRoot
	if _, covered := spec.Within(spec.ResolvePath(b.plan.Dir, root), bind.Resolved); root != "" && covered {
		return // rides the umbrella mount
	}
	b.warn("%s is a host path outside kind-mount-root: it gets its own kind extraMount, so the cluster must be created with it (adding or moving it later means recreating the cluster); put it under kind-mount-root to avoid that", where)
}

func (b *builder) warn(format string, args ...any) {
	b.plan.Warnings = append(b.plan.Warnings, fmt.Sprintf(format, args...))
}
