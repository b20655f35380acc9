package deployment

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

func (b *builder) checkAll() {
	for _, lp := range b.composes {
		for _, bind := range lp.file.HostBinds(spec.ExpandHome) {
			b.checkBind(lp, bind)
		}
		b.checkComposePorts(lp)
		b.checkImages(lp)
		b.checkPods(lp)
		b.checkBuilds(lp)
	}
	b.checkNameCollisions()
	b.checkVolumes()
	b.checkNamespace()
	if err := CheckGenerate(b.plan.Spec.Config); err != nil {
		b.fail("%s: %v", b.specPath, err)
	}
}

// checkImages refuses an image that is no valid reference once
// interpolated (its variables unset, say), unless the spec replaces it: the
// pod would never start (InvalidImageName).
func (b *builder) checkImages(lp loadedPod) {
	for _, name := range lp.file.ServiceNames() {
		image := lp.file.Project.Services[name].Image
		if _, overridden := b.plan.Spec.ImageOverrides[name]; image == "" || overridden {
			continue
		}
		if err := compose.CheckImage(image); err != nil {
			hint := "fix image: in the compose file or set image-overrides." + lp.file.ServiceName(name) + " in " + b.specPath
			switch unset := lp.file.UnsetVariables; len(unset) {
			case 0:
			case 1:
				hint = fmt.Sprintf("${%s} is unset and expands to \"\": set it under config: in %s", unset[0], b.specPath)
			default:
				hint = fmt.Sprintf("${%s} are unset and expand to \"\": set them under config: in %s", strings.Join(unset, "}, ${"), b.specPath)
			}
			b.fail("%s: pod %s, service %s: image %q is not a valid image reference (%v); %s", lp.pod.ComposeFile, lp.pod.Name, lp.file.ServiceName(name), image, err, hint)
		}
	}
}

// checkComposePorts says what becomes of the compose ports a service
// publishes (unless the spec's network.ports replaces them, which is
// validated strictly with the spec). docker compose binds any host port;
// a cluster publishes through NodePorts in 30000-32767. So a host port
// outside that range gets a node port the cluster assigns, and a port
// bound to a loopback address (local only) is not published at all; both
// are said, with the fix. A port compose itself rejects is an error.
func (b *builder) checkComposePorts(lp loadedPod) {
	for _, svc := range lp.file.ServiceNames() {
		if _, overridden := b.plan.Spec.Network.Ports[svc]; overridden {
			continue
		}
		where := fmt.Sprintf("%s: pod %s, service %s", lp.pod.ComposeFile, lp.pod.Name, lp.file.ServiceName(svc))
		for _, p := range lp.file.Project.Services[svc].Ports {
			short := compose.PortString(p)
			switch {
			case compose.LoopbackOnly(p):
				b.warn("%s: port %q is bound to %s (local only in docker compose), so it is not published on the nodes; reach it with kubectl port-forward or from inside the cluster", where, short, p.HostIP)
			case p.Published != "" && spec.CheckPort(short) != nil:
				b.warn("%s: port %q: host port %s is outside the NodePort range %d-%d, so the cluster assigns the node port (kubectl stack status shows it); to choose it, set network.ports.%s: [\"%d:%d\"] in the spec, or route HTTP with network.http-proxy",
					where, short, p.Published, spec.NodePortMin, spec.NodePortMax, lp.file.ServiceName(svc), spec.NodePortMin+int(p.Target)%1000, p.Target)
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
			if !isVolume && !isConfigMap && v.DataDir == "" {
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
	b.checkRiskyHostPaths()
}

// systemDirs are host directories a volume should never be: a container
// writing its data there changes the host itself.
var systemDirs = []string{"/", "/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/root", "/run", "/sbin", "/sys", "/usr", "/var", "/var/lib", "/var/run", "/home", "/tmp"}

// checkRiskyHostPaths warns about volumes whose host path (cleaned, so
// /var/lib/../../etc is /etc) is a system directory, lies inside /etc,
// /proc, /sys, /dev or /boot, or is the home directory itself.
func (b *builder) checkRiskyHostPaths() {
	s := b.plan.Spec
	home, _ := os.UserHomeDir()
	for _, name := range slices.Sorted(maps.Keys(s.Volumes)) {
		if s.Volumes[name] == "" {
			continue
		}
		host := filepath.Clean(spec.ResolvePath(b.plan.Dir, s.Volumes[name]))
		var why string
		switch {
		case home != "" && host == filepath.Clean(home):
			why = "the home directory"
		case slices.Contains(systemDirs, host):
			why = "a system directory"
		default:
			for _, inside := range []string{"/etc", "/proc", "/sys", "/dev", "/boot"} {
				if _, ok := spec.Within(inside, host); ok {
					why = "inside " + inside
				}
			}
		}
		if why != "" {
			b.warn("%s: volumes.%s: host path %s is %s: the containers mounting it can change the host's files there; point the volume at a directory of its own (for example /srv/%s/%s)",
				b.specPath, s.Written(name), host, why, b.plan.Stack.Name, s.Written(name))
		}
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
