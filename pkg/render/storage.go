package render

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubectl-stack/kubectl-stack/pkg/bindsrc"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
	"github.com/kubectl-stack/kubectl-stack/pkg/kindcluster"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// collectHostPaths sorts every bind of the pods and jobs: the stack's own
// files (copied into D by create) become auto-ConfigMaps, one per distinct
// source, named as laconic-so names them; any other source is a host path,
// never read.
func (r *renderer) collectHostPaths() {
	var sources []string
	r.hostBinds = map[string]string{}
	for _, c := range r.composes() {
		for _, b := range c.File.HostBinds(spec.ExpandHome) {
			if what, ok := deployment.OwnFilesIn(r.d.Dir, b.Resolved); ok {
				r.failf("%s: service %s: the bind %s would give the container %s of %s; nothing kubectl-stack keeps for itself is ever bound or put in a ConfigMap: bind a directory of the stack's content, then re-sync (create --update)", c.File.Path, c.File.ServiceName(b.Service), b.Source, what, r.d.Dir)
				continue
			}
			if host, ok := deployment.LookupHostPath(r.d.HostPaths, c.Written, b.Source); ok {
				r.hostBinds[b.Resolved] = host
			} else if !deployment.InStack(b, r.d.Dir) {
				r.hostBinds[b.Resolved] = b.Resolved
			} else if !slices.Contains(sources, b.Resolved) {
				sources = append(sources, b.Resolved)
			}
		}
	}
	slices.Sort(sources)
	// Names come from the path as laconic-so wrote it, relative to D/compose.
	rel := make([]string, len(sources))
	for i, s := range sources {
		rel[i] = relToCompose(r.d.Dir, s)
	}
	byRel := hostPathNames(rel, r.n.id)
	r.hostPaths = map[string]string{}
	for i, s := range sources {
		r.hostPaths[s] = byRel[rel[i]]
	}
}

// hostPathVolume is the pod volume of a bind of a host path: the path on
// the node, which on kind is where the node sees the host path (the
// umbrella or the bind's own mount), or the node container's own path for
// system paths.
func (r *renderer) hostPathVolume(host string) corev1.Volume {
	name, path := bindsrc.HostVolumeName(host), host
	if _, system := bindsrc.SystemPath(host); !system && r.d.Spec.DeployTo == spec.DeployToKind {
		path = kindcluster.NodePath(r.kindInput(), kindcluster.HostVolume{Name: name, HostPath: host})
	}
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: path}}}
}

// checkHostBindMounts makes sure, on kind, that D's kind-config.yml brings
// every non-system host bind into the node where the pod will look for it:
// a deployment directory written before host binds were mounted (they were
// read into ConfigMaps then) or a stack that gained a bind since would
// otherwise mount an empty directory of the node.
func (r *renderer) checkHostBindMounts() {
	if r.d.Spec.DeployTo != spec.DeployToKind || len(r.hostBinds) == 0 {
		return
	}
	cfg, err := kindcluster.LoadConfig(filepath.Join(r.d.Dir, deployment.KindConfigFile))
	if err != nil {
		return // no kind config of ours: kind check-mounts and deploy say so
	}
	mounts := kindcluster.Required(cfg)
	for _, host := range slices.Sorted(maps.Values(r.hostBinds)) {
		if _, system := bindsrc.SystemPath(host); system {
			continue
		}
		node := r.hostPathVolume(host).HostPath.Path
		if got, ok := kindcluster.HostPathOf(node, mounts); !ok || filepath.Clean(got) != filepath.Clean(host) {
			r.failf("%s: the host path %s is bound into a service, but %s brings nothing there into the kind node (at %s); run kubectl stack create --update -d %s to add the mount, then recreate the cluster with it (kubectl stack kind migrate-plan -d %s lists the steps)",
				r.d.Dir, host, deployment.KindConfigFile, node, r.d.Dir, r.d.Dir)
		}
	}
}

func (r *renderer) kindInput() kindcluster.ConfigInput {
	in := kindcluster.ConfigInput{DeploymentID: r.n.id}
	if root := r.d.Spec.KindMountRoot; root != "" {
		in.MountRoot = spec.ResolvePath(r.d.Dir, root)
	}
	return in
}

func relToCompose(dir, source string) string {
	if rel, err := filepath.Rel(filepath.Join(dir, deployment.ComposeDir), source); err == nil {
		return rel
	}
	return source
}

func (r *renderer) composes() []deployment.Compose {
	return slices.Concat(r.d.Pods, r.d.Jobs)
}

// usedVolumes are the named volumes mounted by any pod or job.
func (r *renderer) usedVolumes() []string {
	var out []string
	for _, c := range r.composes() {
		for _, v := range c.File.NamedVolumes() {
			if !slices.Contains(out, v.Name) {
				out = append(out, v.Name)
			}
		}
	}
	slices.Sort(out)
	return out
}

// renderVolumes emits a PVC per named volume; a volume with a host path also
// gets a hostPath PV (Retain) bound through the claim's volumeName.
func (r *renderer) renderVolumes() {
	for _, vol := range r.usedVolumes() {
		if _, isConfigMap := r.d.Spec.ConfigMaps[vol]; isConfigMap {
			continue
		}
		hostPath, configured := r.d.Spec.Volumes[vol]
		if !configured && r.dataVolumes[vol] != "" {
			hostPath, configured = r.dataVolumeHostPath(vol), true
		}
		if !configured {
			r.failf("%s: volume %q is mounted but not configured; add it under volumes: (empty for a PVC, or a host path)", filepath.Join(r.d.Dir, deployment.SpecFile), vol)
			continue
		}
		size := r.volumeSize(vol)
		pvc := &corev1.PersistentVolumeClaim{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
			ObjectMeta: r.volumeMeta(vol, false),
			Spec: corev1.PersistentVolumeClaimSpec{
				AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: size}},
			},
		}
		if hostPath == "" {
			if r.d.Spec.DeployTo == spec.DeployToKind {
				r.warnf("volume %q has no host path: its PVC data lives inside the kind node and is lost when the cluster is deleted; give it a path under kind-mount-root to keep it", r.writtenVolume(vol))
			}
		} else {
			manual := "manual"
			pvc.Spec.StorageClassName, pvc.Spec.VolumeName = &manual, r.n.prefixed(vol)
			r.overlay = append(r.overlay, object{file: "persistentvolumes.yaml", obj: r.persistentVolume(vol, hostPath)})
		}
		r.base = append(r.base, object{file: "pvc-" + vol + ".yaml", obj: pvc})
	}
}

// volumeMeta is the metadata of a volume's PVC or PV: laconic-so's name
// and volume-label (shortened when over 63 characters, which a label
// value cannot exceed), and the volume's compose name when it differs.
func (r *renderer) volumeMeta(vol string, clusterScoped bool) metav1.ObjectMeta {
	name := r.n.prefixed(vol)
	m := r.meta(name, map[string]string{"volume-label": k8sname.Fit(name, k8sname.MaxLabel)})
	if clusterScoped {
		m.Namespace = ""
	}
	m.Annotations = composeName(r.writtenVolume(vol), vol)
	return m
}

// writtenVolume is a named volume's name as the compose files write it.
func (r *renderer) writtenVolume(vol string) string {
	for _, c := range r.composes() {
		if w := c.File.VolumeName(vol); w != vol {
			return w
		}
	}
	return vol
}

func (r *renderer) persistentVolume(vol, hostPath string) *corev1.PersistentVolume {
	path := spec.ResolvePath(r.d.Dir, hostPath)
	if r.d.Spec.DeployTo == spec.DeployToKind {
		path = kindcluster.NodePath(r.kindInput(), kindcluster.HostVolume{Name: vol, HostPath: path})
	}
	q := r.volumeSize(vol)
	return &corev1.PersistentVolume{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolume"},
		ObjectMeta: r.volumeMeta(vol, true),
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: q},
			AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
			StorageClassName:              "manual",
			PersistentVolumeSource:        corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: path}},
		},
	}
}

// readConfigMaps reads the content of the spec's configmaps (from
// D/configmaps/<name>/) and of one ConfigMap per bind of the stack's files,
// before the pods are built: their volumes need the items.
func (r *renderer) readConfigMaps() {
	r.configs = map[string]*configContent{}
	read := func(name, source string) {
		if what, ok := deployment.OwnFilesIn(r.d.Dir, source); ok {
			r.failf("building ConfigMap %s from %s: it would hold %s; nothing kubectl-stack keeps for itself is ever put in a ConfigMap: point it at a directory of its own", r.n.prefixed(name), source, what)
			return
		}
		content, err := readConfig(source, r.d.Dir)
		if err != nil {
			r.failf("building ConfigMap %s from %s: %v", r.n.prefixed(name), source, err)
			return
		}
		r.configs[name] = content
	}
	for _, name := range slices.Sorted(maps.Keys(r.d.Spec.ConfigMaps)) {
		dir := filepath.Join(r.d.Dir, "configmaps", name)
		if v := r.d.Spec.ConfigMaps[name]; len(v) > 2 && v[:2] == "./" {
			dir = filepath.Join(r.d.Dir, v)
		}
		read(name, dir)
	}
	for _, src := range slices.Sorted(maps.Keys(r.hostPaths)) {
		read(r.hostPaths[src], src)
	}
}

// renderConfigMaps emits the ConfigMaps readConfigMaps read.
func (r *renderer) renderConfigMaps() {
	for _, name := range slices.Sorted(maps.Keys(r.d.Spec.ConfigMaps)) {
		r.addConfigMap(name)
	}
	for _, src := range slices.Sorted(maps.Keys(r.hostPaths)) {
		r.addConfigMap(r.hostPaths[src])
	}
}

func (r *renderer) addConfigMap(name string) {
	content, ok := r.configs[name]
	if !ok {
		return // reported by readConfigMaps
	}
	cm := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: r.meta(r.n.prefixed(name), map[string]string{"configmap-label": name}),
	}
	for key, data := range content.data {
		if utf8.Valid(data) {
			if cm.Data == nil {
				cm.Data = map[string]string{}
			}
			cm.Data[key] = string(data)
		} else {
			if cm.BinaryData == nil {
				cm.BinaryData = map[string][]byte{}
			}
			cm.BinaryData[key] = data
		}
	}
	r.base = append(r.base, object{file: "configmap-" + name + ".yaml", obj: cm})
}

// configContent is what a ConfigMap gets from a file or directory.
type configContent struct {
	data map[string][]byte
	// items place keys at nested paths; nil for a file or a flat
	// directory whose file names are valid keys (each key is its file).
	items []corev1.KeyToPath
}

// readConfig reads a file (one key, its base name) or the files under a
// directory. It scans first (links out of root and special files are
// errors, never opened). A tree with subdirectories, or a file name that is
// not a valid ConfigMap key, gets encoded keys and items that put each key
// at its path.
func readConfig(source, root string) (*configContent, error) {
	tree, err := bindsrc.Scan(source, root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("source does not exist; re-create the deployment directory (kubectl stack create --update)")
	}
	if err != nil {
		return nil, err
	}
	out := &configContent{data: map[string][]byte{}}
	plain := !tree.Nested
	for _, f := range tree.Files {
		plain = plain && isConfigMapKey(path.Base(f.Rel))
	}
	for _, f := range tree.Files {
		data, err := bindsrc.ReadFile(f.Path, root, deployment.ConfigMapBudget)
		if err != nil {
			return nil, err
		}
		key := filepath.Base(source)
		if tree.IsDir {
			key = f.Rel
		}
		if tree.IsDir && !plain {
			key = configKey(f.Rel)
			out.items = append(out.items, corev1.KeyToPath{Key: key, Path: f.Rel})
		}
		out.data[key] = data
	}
	return out, nil
}

func isConfigMapKey(k string) bool {
	return len(validation.IsConfigMapKey(k)) == 0
}

// configKey encodes a relative path as a ConfigMap key without collisions:
// every byte outside [A-Za-z0-9.-] (the '/' of subdirectories, '_', spaces)
// becomes '_' and two hex digits ("datasources/ds.yaml" →
// "datasources_2fds.yaml").
func configKey(rel string) string {
	var b strings.Builder
	for i := 0; i < len(rel); i++ {
		c := rel[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "_%02x", c)
		}
	}
	if k := b.String(); isConfigMapKey(k) {
		return k
	}
	return "_" + b.String() // "." and "..", and keys starting with ".."
}

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}

// dataVolumeHostPath is where a data volume the spec does not configure
// (a data directory of the compose file) keeps its data: on kind with a
// kind-mount-root, <kind-mount-root>/<namespace>/<volume> (it rides the
// umbrella mount and survives the cluster); elsewhere a claim ("").
func (r *renderer) dataVolumeHostPath(vol string) string {
	if r.d.Spec.DeployTo != spec.DeployToKind || r.d.Spec.KindMountRoot == "" {
		return ""
	}
	return filepath.Join(spec.ResolvePath(r.d.Dir, r.d.Spec.KindMountRoot), r.ns, vol)
}
