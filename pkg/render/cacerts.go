package render

import (
	"bytes"
	"path"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const (
	// caVolume is laconic-so's volume name for the CA certificates.
	caVolume = "laconic-ca-certs"
	// caBundleKey holds every CA certificate in one file, for
	// NODE_EXTRA_CA_CERTS (Node.js reads one file).
	caBundleKey = "kubectl-stack-extra-ca-bundle.pem"
	// caDir is the system trust directory, where laconic-so mounts them:
	// Go and other clients that scan it trust every file there.
	caDir = "/etc/ssl/certs"
)

// readCACertificates loads the CA certificates create copied into D.
func (r *renderer) readCACertificates() {
	certs, err := r.d.CACertificates()
	if err != nil {
		r.failf("%v", err)
	}
	r.caCerts = certs
}

// renderCACertificates emits laconic-so's <id>-ca-certificates Secret: the
// certificates under their keys, and their bundle.
func (r *renderer) renderCACertificates() {
	if len(r.caCerts) == 0 {
		return
	}
	s := &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: r.meta(r.n.prefixed("ca-certificates"), nil),
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{},
	}
	var bundle bytes.Buffer
	for _, c := range r.caCerts {
		s.Data[c.Key] = c.PEM
		bundle.Write(bytes.TrimRight(c.PEM, "\n"))
		bundle.WriteString("\n")
	}
	s.Data[caBundleKey] = bundle.Bytes()
	r.base = append(r.base, object{file: "ca-certificates.yaml", obj: s})
}

// trustCACertificates mounts the CA certificates into every container of
// a pod (init containers too) at /etc/ssl/certs/<key>, read-only, and
// points NODE_EXTRA_CA_CERTS at their bundle unless the container sets it.
func (r *renderer) trustCACertificates(ps *corev1.PodSpec) {
	if len(r.caCerts) == 0 {
		return
	}
	ps.Volumes = append(ps.Volumes, corev1.Volume{Name: caVolume, VolumeSource: corev1.VolumeSource{
		Secret: &corev1.SecretVolumeSource{SecretName: r.n.prefixed("ca-certificates")}}})
	keys := []string{caBundleKey}
	for _, c := range r.caCerts {
		keys = append(keys, c.Key)
	}
	slices.Sort(keys)
	for _, list := range []*[]corev1.Container{&ps.InitContainers, &ps.Containers} {
		for i := range *list {
			c := &(*list)[i]
			for _, k := range keys {
				c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: caVolume, MountPath: path.Join(caDir, k), SubPath: k, ReadOnly: true})
			}
			if !slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "NODE_EXTRA_CA_CERTS" }) {
				c.Env = append(c.Env, corev1.EnvVar{Name: "NODE_EXTRA_CA_CERTS", Value: path.Join(caDir, caBundleKey)})
			}
		}
	}
}
