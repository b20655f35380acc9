package render

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-stack/kubectl-stack/pkg/bindsrc"
	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
)

// A compose secret is a Secret deploy makes from its file: or
// environment: (the tree holds no secret value; a pipeline creates it with
// deploy --secrets-only, as it does the generated values), mounted at its
// target with subPath. A compose config is a ConfigMap in the tree,
// mounted the same way; a changed one rolls the pods that mount it.

// objectKey is the one key of a compose secret's or config's object.
const objectKey = "content"

// defaultObjectMode is compose's default mode of a secret or config file.
const defaultObjectMode = int32(0o444)

// ComposeSecretName is the Secret of a deployment's compose secret.
func ComposeSecretName(id, secret string) string {
	return k8sname.Fit(id+"-secret-"+k8sname.Label(secret), k8sname.MaxLabel)
}

// ComposeSecretNames are the Secrets deploy makes for the deployment's
// compose secrets (external ones exist already and are not listed).
func ComposeSecretNames(d *deployment.Deployment) []string {
	var out []string
	for _, s := range d.ComposeSecrets() {
		if !s.External {
			out = append(out, ComposeSecretName(d.Record.DeploymentID, s.Name))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (r *renderer) configObjectName(config string) string {
	return k8sname.Fit(r.n.id+"-config-"+k8sname.Label(config), k8sname.MaxLabel)
}

// objectMounts mounts the service's secrets and configs.
func (r *renderer) objectMounts(c deployment.Compose, svc compose.Service, volumes map[string]corev1.Volume) []corev1.VolumeMount {
	var out []corev1.VolumeMount
	secrets := objectsByName(c.File.SecretObjects())
	for _, m := range compose.SecretMounts(svc) {
		s, ok := secrets[m.Object]
		if !ok {
			continue // compose-go refuses an undefined secret
		}
		name := ComposeSecretName(r.n.id, m.Object)
		if s.External {
			name = m.Object // an existing Secret of that name, with a content key
		}
		out = append(out, r.objectMount(c, svc, m, "secret", volumes, corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: name}}))
	}
	configs := objectsByName(c.File.ConfigObjects())
	for _, m := range compose.ConfigMounts(svc) {
		cfg, ok := configs[m.Object]
		if !ok {
			continue
		}
		if cfg.External {
			r.warnf("%s: service %s: config %s is external (it exists in a swarm); Kubernetes has no such config, so it is left out: give it file: or content:", c.File.Path, c.File.ServiceName(svc.Name), m.Object)
			continue
		}
		ref := corev1.LocalObjectReference{Name: r.configObjectName(m.Object)}
		out = append(out, r.objectMount(c, svc, m, "config", volumes, corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: ref}}))
	}
	return out
}

func objectsByName(objects []compose.FileObject) map[string]compose.FileObject {
	out := map[string]compose.FileObject{}
	for _, o := range objects {
		out[o.Name] = o
	}
	return out
}

// objectMount adds the volume of one secret or config mount (one per
// object and mode) and returns its mount: the object's one key, at the
// target, read-only.
func (r *renderer) objectMount(c deployment.Compose, svc compose.Service, m compose.ObjectMount, kind string, volumes map[string]corev1.Volume, source corev1.VolumeSource) corev1.VolumeMount {
	mode := defaultObjectMode
	if m.Mode != nil {
		mode = *m.Mode
	}
	if m.UID != "" || m.GID != "" {
		r.warnf("%s: service %s: %s %s: uid/gid are not carried (Kubernetes mounts it owned by root, readable as its mode %s says); set the pod's fsGroup through the image's user instead", c.File.Path, c.File.ServiceName(svc.Name), kind, m.Object, compose.ModeString(mode))
	}
	items := []corev1.KeyToPath{{Key: objectKey, Path: objectKey, Mode: &mode}}
	switch {
	case source.Secret != nil:
		source.Secret.Items = items
	case source.ConfigMap != nil:
		source.ConfigMap.Items = items
	}
	name := k8sname.Fit(kind+"-"+k8sname.Label(m.Object)+"-"+strings.TrimPrefix(compose.ModeString(mode), "0"), k8sname.MaxLabel)
	volumes[name] = corev1.Volume{Name: name, VolumeSource: source}
	return corev1.VolumeMount{Name: name, MountPath: m.Target, SubPath: objectKey, ReadOnly: true}
}

// renderComposeConfigs renders a ConfigMap for each compose config the
// deployment's services mount: its file (in the deployment directory),
// content: or environment: (from the spec's config or .env).
func (r *renderer) renderComposeConfigs() {
	done := map[string]bool{}
	for _, c := range r.composes() {
		for _, cfg := range c.File.ConfigObjects() {
			name := r.configObjectName(cfg.Name)
			if cfg.External || done[name] {
				continue
			}
			done[name] = true
			value, err := r.configValue(c, cfg)
			if err != nil {
				r.failf("%s: configs.%s: %v", c.File.Path, cfg.Name, err)
				continue
			}
			cm := &corev1.ConfigMap{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
				ObjectMeta: r.meta(name, nil),
			}
			if utf8.Valid(value) {
				cm.Data = map[string]string{objectKey: string(value)}
			} else {
				cm.BinaryData = map[string][]byte{objectKey: value}
			}
			r.base = append(r.base, object{file: "configmap-config-" + k8sname.Label(cfg.Name) + ".yaml", obj: cm})
		}
	}
}

// configValue is a compose config's content.
func (r *renderer) configValue(c deployment.Compose, cfg compose.FileObject) ([]byte, error) {
	switch {
	case cfg.File != "":
		return bindsrc.ReadFile(cfg.File, r.d.Dir, deployment.ConfigMapBudget)
	case cfg.Environment != "":
		v, ok := c.File.EnvironmentValue(cfg.Environment)
		if !ok {
			return nil, fmt.Errorf("environment: %s is not set: set it under config: in spec.yml", cfg.Environment)
		}
		return []byte(v), nil
	}
	return []byte(cfg.Content), nil
}
