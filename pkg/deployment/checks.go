package deployment

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// ConfigMapBudget is the most raw bytes a host-path bind may hold: a
// ConfigMap is limited to 1 MiB, and base64 plus object overhead need the
// rest (laconic-so's limit, 700 KiB).
const ConfigMapBudget = 700 * 1024

func (b *builder) checkAll() {
	for _, lp := range b.composes {
		for _, bind := range lp.file.HostBinds(spec.ExpandHome) {
			b.checkBind(lp, bind)
		}
		b.checkComposePorts(lp)
		b.checkPortClashes(lp)
	}
	b.checkNameCollisions()
	b.checkVolumes()
	b.checkNamespace()
}

func (b *builder) checkBind(lp loadedPod, bind compose.Bind) {
	where := fmt.Sprintf("%s: pod %s, service %s: host-path bind %q", lp.pod.ComposeFile, lp.pod.Name, bind.Service, bind.Source+":"+bind.Target)
	if bind.ExplicitRW {
		b.fail("%s is writable (rw), but a host-path bind becomes a read-only ConfigMap; for writable data use a named volume with a host path in spec.yml volumes (under kind-mount-root on kind)", where)
		return
	}
	info, err := os.Stat(bind.Resolved)
	if err != nil {
		b.fail("%s: source %s does not exist; create it in the stack or remove the bind", where, bind.Resolved)
		return
	}
	if !info.IsDir() {
		if info.Size() > ConfigMapBudget {
			b.fail("%s points at a file of %d bytes, over the ConfigMap budget of %d bytes; bake the file into the image or use a named volume", where, info.Size(), ConfigMapBudget)
		}
		return
	}
	total, subdir, err := flatDirSize(bind.Resolved)
	switch {
	case err != nil:
		b.fail("%s: reading %s: %v", where, bind.Resolved, err)
	case subdir != "":
		b.fail("%s: directory %s contains the subdirectory %q, which a ConfigMap cannot represent; bake it into the image, split it into several binds of flat directories, or use an initContainer", where, bind.Resolved, subdir)
	case total > ConfigMapBudget:
		b.fail("%s: directory %s holds %d bytes, over the ConfigMap budget of %d bytes; bake the files into the image or split the directory", where, bind.Resolved, total, ConfigMapBudget)
	}
}

// flatDirSize sums the sizes of a directory's files and names its first
// subdirectory, if any.
func flatDirSize(dir string) (int64, string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, "", err
	}
	var total int64
	for _, e := range entries {
		if e.IsDir() {
			return 0, e.Name(), nil
		}
		info, err := e.Info()
		if err != nil {
			return 0, "", err
		}
		total += info.Size()
	}
	return total, "", nil
}

// checkComposePorts validates the ports each service will publish: the
// spec's network.ports for the service when set, else its compose ports.
func (b *builder) checkComposePorts(lp loadedPod) {
	for svc, ports := range lp.file.Ports() {
		if _, overridden := b.plan.Spec.Network.Ports[svc]; overridden {
			continue
		}
		for _, p := range ports {
			if err := spec.CheckPort(p); err != nil {
				b.fail("%s: pod %s, service %s: %v (or override the service's ports in spec.yml network.ports)", lp.pod.ComposeFile, lp.pod.Name, lp.file.ServiceName(svc), err)
			}
		}
	}
}

// checkVolumes makes sure every named volume a compose file mounts is
// configured (laconic-so left the pod Pending on a missing PVC), and that
// host paths respect kind-mount-root.
func (b *builder) checkVolumes() {
	s := b.plan.Spec
	used := map[string]bool{}
	for _, lp := range b.composes {
		for _, v := range lp.file.NamedVolumes() {
			used[v.Name] = true
			_, isVolume := s.Volumes[v.Name]
			_, isConfigMap := s.ConfigMaps[v.Name]
			if !isVolume && !isConfigMap {
				b.fail("%s: pod %s mounts the named volume %q, which %s does not configure; add it under volumes: (empty for a PVC, or a host path) or configmaps:", lp.pod.ComposeFile, lp.pod.Name, lp.file.VolumeName(v.Name), b.specPath)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.Volumes)) {
		if !used[name] {
			b.plan.Warnings = append(b.plan.Warnings, fmt.Sprintf("%s: volumes.%s is not mounted by any service of the stack", b.specPath, s.Written(name)))
		}
	}
	if s.DeployTo == spec.DeployToKind && s.KindMountRoot != "" {
		b.checkMountRoot()
	}
}

func (b *builder) checkMountRoot() {
	s := b.plan.Spec
	root := spec.ResolvePath(b.plan.Dir, s.KindMountRoot)
	for _, name := range slices.Sorted(maps.Keys(s.Volumes)) {
		if s.Volumes[name] == "" {
			continue
		}
		host := spec.ResolvePath(b.plan.Dir, s.Volumes[name])
		if _, ok := spec.Within(root, host); !ok {
			b.fail("%s: volumes.%s: host path %s is outside kind-mount-root %s, so the kind node cannot see it without recreating the cluster; move the data under %s/ and point the volume there",
				b.specPath, s.Written(name), host, root, root)
		}
	}
}

func (b *builder) checkNamespace() {
	if b.plan.Spec.Namespace != "" {
		return // validated with the spec
	}
	ns := spec.DefaultNamespace(b.plan.Stack.Name)
	if ns == "laconic-" {
		b.fail("%s: the stack name %q gives no valid namespace; set namespace: in the spec", b.specPath, b.plan.Stack.Name)
	}
}

// inside reports whether rel (relative to the deployment dir) stays in it.
func inside(rel string) bool {
	return filepath.IsLocal(rel)
}
