package render

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"unicode/utf8"

	composetypes "github.com/compose-spec/compose-go/v2/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
	"github.com/kubectl-stack/kubectl-stack/pkg/kindcluster"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// collectHostPaths names every host-path bind of the pods and jobs (one
// ConfigMap per distinct source, deduplicated across services).
func (r *renderer) collectHostPaths() {
	var sources []string
	for _, c := range r.composes() {
		for _, svc := range c.File.Project.Services {
			for _, v := range svc.Volumes {
				if v.Type == composetypes.VolumeTypeBind && !slices.Contains(sources, v.Source) {
					sources = append(sources, v.Source)
				}
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
				r.warnf("volume %q has no host path: its PVC data lives inside the kind node and is lost when the cluster is deleted; give it a path under kind-mount-root to keep it", vol)
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
		in := kindcluster.ConfigInput{DeploymentID: r.n.id}
		if root := r.d.Spec.KindMountRoot; root != "" {
			in.MountRoot = spec.ResolvePath(r.d.Dir, root)
		}
		path = kindcluster.NodePath(in, kindcluster.HostVolume{Name: vol, HostPath: path})
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

// renderConfigMaps emits the spec's configmaps (from D/configmaps/<name>/)
// and one ConfigMap per host-path bind source.
func (r *renderer) renderConfigMaps() {
	for _, name := range slices.Sorted(maps.Keys(r.d.Spec.ConfigMaps)) {
		dir := filepath.Join(r.d.Dir, "configmaps", name)
		if v := r.d.Spec.ConfigMaps[name]; len(v) > 2 && v[:2] == "./" {
			dir = filepath.Join(r.d.Dir, v)
		}
		r.addConfigMap(name, dir)
	}
	for _, src := range slices.Sorted(maps.Keys(r.hostPaths)) {
		r.addConfigMap(r.hostPaths[src], src)
	}
}

func (r *renderer) addConfigMap(name, source string) {
	cm := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: r.meta(r.n.prefixed(name), map[string]string{"configmap-label": name}),
	}
	files, err := configFiles(source)
	if err != nil {
		r.failf("building ConfigMap %s from %s: %v", r.n.prefixed(name), source, err)
		return
	}
	for key, data := range files {
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

// configFiles reads a file (one key, its base name) or the regular files at
// the top of a directory (one key each).
func configFiles(source string) (map[string][]byte, error) {
	info, err := os.Stat(source)
	if err != nil {
		return nil, fmt.Errorf("source does not exist; re-create the deployment directory (kubectl stack create --update)")
	}
	out := map[string][]byte{}
	if !info.IsDir() {
		data, err := os.ReadFile(source)
		out[filepath.Base(source)] = data
		return out, err
	}
	entries, err := os.ReadDir(source)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(source, e.Name()))
		if err != nil {
			return nil, err
		}
		out[e.Name()] = data
	}
	return out, nil
}

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}
