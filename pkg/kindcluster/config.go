package kindcluster

import (
	"fmt"
	"path/filepath"
	"sort"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"

	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
	"github.com/kubectl-stack/kubectl-stack/pkg/yamlstrict"
)

// NodeMountRoot is where host data appears inside a kind node.
const NodeMountRoot = "/mnt"

// ConfigInput is what a deployment contributes to its kind cluster config.
type ConfigInput struct {
	// MountRoot is the absolute, clean kind-mount-root, or "".
	MountRoot    string
	DeploymentID string
	// Volumes are named volumes with host paths (absolute, clean).
	Volumes []HostVolume
	// HostPorts are ports of network_mode: host services, mapped 1:1.
	HostPorts []HostPort
	// NodeImage is the node image to pin, or "" for kind's default.
	NodeImage string
	// MemlockSpec is the absolute path of the base runtime spec with an
	// unlimited RLIMIT_MEMLOCK (spec security.unlimited-memlock), or "".
	MemlockSpec string
}

// MemlockRuntime is the containerd runtime handler, and the RuntimeClass,
// of pods that need an unlimited RLIMIT_MEMLOCK.
const MemlockRuntime = "high-memlock"

// HostVolume is a named volume backed by a host directory.
type HostVolume struct {
	Name     string
	HostPath string
}

// HostPort is a port published on the host by the node container.
type HostPort struct {
	Port     int32
	Protocol string // TCP or UDP
}

// NodePath is where a host-path volume appears inside the kind node: under
// the umbrella mount when its host path lies in the mount root, otherwise at
// its own per-deployment mount point. laconic-so used /mnt/<vol>, which
// collides between deployments, and compared raw strings without a path
// boundary; both are fixed here.
func NodePath(in ConfigInput, v HostVolume) string {
	if in.MountRoot != "" {
		if rel, ok := spec.Within(in.MountRoot, v.HostPath); ok {
			return filepath.Join(NodeMountRoot, rel)
		}
	}
	return filepath.Join(NodeMountRoot, in.DeploymentID+"-"+v.Name)
}

// Config builds the kind cluster config for a deployment: one control-plane
// node labelled for ingress, ports 80/443 and host-network ports mapped, and
// either one umbrella mount (kind-mount-root → /mnt) or one mount per
// host-path volume. Mounts use HostToContainer propagation so that host
// sub-mounts (ZFS/XFS datasets) are visible in the node.
func Config(in ConfigInput) *v1alpha4.Cluster {
	node := v1alpha4.Node{
		Role:  v1alpha4.ControlPlaneRole,
		Image: in.NodeImage,
		KubeadmConfigPatches: []string{
			"kind: InitConfiguration\nnodeRegistration:\n  kubeletExtraArgs:\n    node-labels: \"ingress-ready=true\"\n",
		},
		ExtraPortMappings: portMappings(in.HostPorts),
		ExtraMounts:       mounts(in),
	}
	c := &v1alpha4.Cluster{
		TypeMeta: v1alpha4.TypeMeta{Kind: "Cluster", APIVersion: "kind.x-k8s.io/v1alpha4"},
		Nodes:    []v1alpha4.Node{node},
	}
	if in.MemlockSpec != "" {
		c.ContainerdConfigPatches = []string{memlockPatch(in.MemlockSpec)}
	}
	return c
}

// memlockPatch adds the high-memlock runtime to the node's containerd. Its
// base spec is bound into the node at the same path (see mounts). Unlike
// laconic-so's patch it keeps kind's SystemdCgroup setting: the kubelet in
// kind uses the systemd cgroup driver, and a runtime without it fails pods.
func memlockPatch(specPath string) string {
	const runtime = `plugins."io.containerd.grpc.v1.cri".containerd.runtimes.` + MemlockRuntime
	return fmt.Sprintf("[%s]\n  runtime_type = \"io.containerd.runc.v2\"\n  base_runtime_spec = %q\n[%s.options]\n  SystemdCgroup = true\n", runtime, specPath, runtime)
}

// Marshal writes a kind config as YAML.
func Marshal(c *v1alpha4.Cluster) ([]byte, error) {
	return yamlstrict.Encode(c)
}

func mounts(in ConfigInput) []v1alpha4.Mount {
	var out, perVolume []v1alpha4.Mount
	if in.MountRoot != "" {
		out = append(out, mount(in.MountRoot, NodeMountRoot))
	}
	for _, v := range in.Volumes {
		if _, covered := spec.Within(in.MountRoot, v.HostPath); in.MountRoot != "" && covered {
			continue
		}
		perVolume = append(perVolume, mount(v.HostPath, NodePath(in, v)))
	}
	sort.Slice(perVolume, func(i, j int) bool { return perVolume[i].ContainerPath < perVolume[j].ContainerPath })
	out = append(out, perVolume...)
	if in.MemlockSpec != "" {
		out = append(out, mount(in.MemlockSpec, in.MemlockSpec))
	}
	return out
}

func mount(host, container string) v1alpha4.Mount {
	return v1alpha4.Mount{HostPath: host, ContainerPath: container, Propagation: v1alpha4.MountPropagationHostToContainer}
}

func portMappings(hostPorts []HostPort) []v1alpha4.PortMapping {
	out := []v1alpha4.PortMapping{{ContainerPort: 80, HostPort: 80}, {ContainerPort: 443, HostPort: 443}}
	seen := map[HostPort]bool{{80, "TCP"}: true, {443, "TCP"}: true}
	for _, p := range hostPorts {
		if seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, v1alpha4.PortMapping{ContainerPort: p.Port, HostPort: p.Port, Protocol: v1alpha4.PortMappingProtocol(p.Protocol)})
	}
	return out
}
