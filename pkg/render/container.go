package render

import (
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// podParts is what the services of one compose file contribute to a pod.
type podParts struct {
	containers, initContainers []corev1.Container
	sysctls                    []corev1.Sysctl
	volumes                    []corev1.Volume
	hostNetwork                bool
	// sharePIDs: a service asks for an init (init: true); the pod's
	// pause process, first in a shared process namespace, is one.
	sharePIDs   bool
	hostAliases []corev1.HostAlias
	// writesData: the pod mounts a claim, or a host path it may write,
	// which two copies of it must never share during a rollout.
	writesData bool
	// grace is the longest stop_grace_period of the services, if any.
	grace *int64
}

// buildPod translates every service of a compose file into containers of one
// pod, as laconic-so does: they share the network namespace, so a sibling's
// name in an environment value is rewritten to localhost.
func (r *renderer) buildPod(c deployment.Compose) podParts {
	var p podParts
	siblings := siblingPatterns(writtenNames(c))
	volumes := map[string]corev1.Volume{}
	var copyUps []copyUpMount
	for _, name := range c.File.ServiceNames() {
		svc := c.File.Project.Services[name]
		ctr := r.container(c, svc, siblings, volumes)
		copyUps = append(copyUps, copyUpMounts(c.File, svc, ctr, volumes)...)
		if compose.IsInitContainer(svc) {
			p.initContainers = append(p.initContainers, ctr)
		} else {
			p.containers = append(p.containers, ctr)
		}
		p.hostNetwork = p.hostNetwork || svc.NetworkMode == "host"
		p.sharePIDs = p.sharePIDs || svc.Init != nil && *svc.Init
		if g := svc.StopGracePeriod; g != nil {
			secs := int64(seconds(g))
			if p.grace == nil || secs > *p.grace {
				p.grace = &secs
			}
		}
		r.warnUnsupported(c, svc)
	}
	if init, images := r.copyUpInit(copyUps); init != nil {
		// First: docker fills the volumes before any container starts.
		p.initContainers = append([]corev1.Container{*init}, p.initContainers...)
		for _, v := range images {
			volumes[v.Name] = v
		}
	}
	p.hostAliases = r.hostAliases(c)
	p.sysctls = r.podSysctls(c)
	hostWritten := writtenHostPaths(slices.Concat(p.containers, p.initContainers), volumes)
	for _, name := range slices.Sorted(maps.Keys(volumes)) {
		v := volumes[name]
		p.writesData = p.writesData || v.PersistentVolumeClaim != nil || hostWritten[name]
		p.volumes = append(p.volumes, v)
	}
	return p
}

// writtenHostPaths are the host-path volumes a container mounts writable.
func writtenHostPaths(ctrs []corev1.Container, volumes map[string]corev1.Volume) map[string]bool {
	out := map[string]bool{}
	for _, c := range ctrs {
		for _, m := range c.VolumeMounts {
			if v, ok := volumes[m.Name]; ok && v.HostPath != nil && !m.ReadOnly {
				out[m.Name] = true
			}
		}
	}
	return out
}

func (r *renderer) container(c deployment.Compose, svc compose.Service, siblings map[string]*regexp.Regexp, volumes map[string]corev1.Volume) corev1.Container {
	ctr := corev1.Container{
		Name:            svc.Name,
		Image:           r.image(c, svc),
		Command:         svc.Entrypoint,
		Args:            svc.Command,
		WorkingDir:      svc.WorkingDir,
		Env:             r.env(c, svc, siblings),
		EnvFrom:         r.envFrom(),
		Ports:           containerPorts(svc),
		ImagePullPolicy: r.pullPolicy(),
		SecurityContext: r.securityContext(c, svc),
		Resources:       r.resources(svc),
		TTY:             svc.Tty,
		Stdin:           svc.StdinOpen,
	}
	ctr.VolumeMounts = r.mounts(c, svc, volumes)
	ctr.ReadinessProbe, ctr.StartupProbe, ctr.LivenessProbe = probes(svc)
	if ctr.ReadinessProbe == nil {
		ctr.ReadinessProbe = r.proxyProbe(svc.Name)
	}
	return ctr
}

func (r *renderer) image(c deployment.Compose, svc compose.Service) string {
	if img, ok := r.opts.ImageOverrides[svc.Name]; ok {
		return img
	}
	if img, ok := r.d.Spec.ImageOverrides[svc.Name]; ok {
		return img
	}
	if img, ok := deployment.BuildImage(r.d.Builds, c.Written, c.File.ServiceName(svc.Name)); ok {
		return img
	}
	if svc.Image == "" {
		r.failf("%s: service %s has no image; set image: in the compose file, build: (then run kubectl stack create --update), or image-overrides.%s in spec.yml", c.File.Path, c.File.ServiceName(svc.Name), svc.Name)
	}
	return svc.Image
}

// env merges the service's environment (interpolated by compose-go from the
// spec's config, env_file included) with the spec's config, which wins and
// goes to every container, as in laconic-so. Sorted by name.
func (r *renderer) env(c deployment.Compose, svc compose.Service, siblings map[string]*regexp.Regexp) []corev1.EnvVar {
	values := map[string]string{}
	for k, v := range svc.Environment {
		if v != nil {
			values[k] = *v
		}
	}
	for k, v := range r.d.Spec.Config {
		if v != "" && !strings.HasPrefix(v, "$generate:") {
			values[k] = v
		}
	}
	r.shuttle(c.File.ServiceName(svc.Name), values)
	var out []corev1.EnvVar
	for _, k := range slices.Sorted(maps.Keys(values)) {
		v := toLocalhost(values[k], siblings, c.File.ServiceName(svc.Name))
		out = append(out, corev1.EnvVar{Name: k, Value: r.toServiceNames(v)})
	}
	return out
}

// siblingPatterns matches each service name of a pod (as written in the
// compose file, which is how environment values spell it), with an
// optional port, as a whole word; compiled once per pod, not once per value.
func siblingPatterns(names []string) map[string]*regexp.Regexp {
	out := make(map[string]*regexp.Regexp, len(names))
	for _, n := range names {
		out[n] = wholeWord(n)
	}
	return out
}

// wholeWord matches name, with an optional port, as a whole word: not
// inside a longer name (so "db" leaves "db_data" and "mydb" alone).
func wholeWord(name string) *regexp.Regexp {
	return regexp.MustCompile(`(^|[^A-Za-z0-9_.-])` + regexp.QuoteMeta(name) + `(:\d+)?($|[^A-Za-z0-9_.-])`)
}

// writtenNames are the service names of a pod as its compose file writes them.
func writtenNames(c deployment.Compose) []string {
	var out []string
	for _, n := range c.File.ServiceNames() {
		out = append(out, c.File.ServiceName(n))
	}
	return out
}

// renamedHost finds a renamed service's compose name in environment values
// and gives its Service name.
type renamedHost struct {
	written *regexp.Regexp
	service string
}

func hostPatterns(renamed map[string]string) []renamedHost {
	var out []renamedHost
	for _, written := range slices.Sorted(maps.Keys(renamed)) {
		out = append(out, renamedHost{written: wholeWord(written), service: renamed[written]})
	}
	return out
}

// toServiceNames rewrites the compose names of renamed services in an
// environment value to their Service names (cache_redis:6379 →
// cache-redis:6379), as docker compose's DNS would have resolved them.
func (r *renderer) toServiceNames(value string) string {
	for _, h := range r.renamedHosts {
		value = h.written.ReplaceAllString(value, "${1}"+h.service+"${2}${3}")
	}
	return value
}

// toLocalhost rewrites references to sibling services (same compose file,
// hence same pod) to localhost, keeping the port.
func toLocalhost(value string, siblings map[string]*regexp.Regexp, self string) string {
	for _, s := range slices.Sorted(maps.Keys(siblings)) {
		if s != self {
			value = siblings[s].ReplaceAllString(value, "${1}localhost${2}${3}")
		}
	}
	return value
}

func (r *renderer) envFrom() []corev1.EnvFromSource {
	optional := true
	var out []corev1.EnvFromSource
	for _, name := range slices.Sorted(maps.Keys(r.d.Spec.Secrets)) {
		out = append(out, corev1.EnvFromSource{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Optional: &optional}})
	}
	// The generated config values, from the Secret deploy writes (not
	// optional: a container must not start without them).
	if len(deployment.GeneratedKeys(r.d.Spec.Config)) > 0 {
		out = append(out, corev1.EnvFromSource{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: r.d.GeneratedSecretName()}}})
	}
	return out
}

// containerPorts lists each (port, protocol) the service listens on once;
// expose ranges have no container port equivalent and are left out.
func containerPorts(svc compose.Service) []corev1.ContainerPort {
	var out []corev1.ContainerPort
	for _, p := range compose.ContainerPorts(svc) {
		n, err := strconv.ParseInt(p.Port, 10, 32)
		if err != nil {
			continue
		}
		out = append(out, corev1.ContainerPort{ContainerPort: int32(n), Protocol: corev1.Protocol(strings.ToUpper(p.Protocol))})
	}
	return out
}

func (r *renderer) pullPolicy() corev1.PullPolicy {
	if p := r.d.Spec.ImagePullPolicy; p != "" {
		return corev1.PullPolicy(p)
	}
	if r.d.Spec.DeployTo == spec.DeployToKind {
		return corev1.PullIfNotPresent
	}
	return corev1.PullAlways
}

func (r *renderer) securityContext(c deployment.Compose, svc compose.Service) *corev1.SecurityContext {
	sc := &corev1.SecurityContext{}
	set := false
	if svc.User != "" {
		uid, gid, _ := strings.Cut(svc.User, ":")
		if n, err := strconv.ParseInt(uid, 10, 64); err == nil {
			sc.RunAsUser, set = &n, true
		} else {
			r.warnf("%s: service %s: user %q is not numeric; Kubernetes needs a numeric uid, so it is not set", c.File.Path, c.File.ServiceName(svc.Name), svc.User)
		}
		if n, err := strconv.ParseInt(gid, 10, 64); gid != "" && err == nil {
			sc.RunAsGroup = &n
		}
	}
	if svc.Privileged || bool(r.d.Spec.Security.Privileged) {
		t := true
		sc.Privileged, set = &t, true
	}
	if svc.ReadOnly {
		t := true
		sc.ReadOnlyRootFilesystem, set = &t, true
	}
	add, drop := capabilities(slices.Concat(svc.CapAdd, r.d.Spec.Security.Capabilities)), capabilities(svc.CapDrop)
	if len(add) > 0 || len(drop) > 0 {
		sc.Capabilities, set = &corev1.Capabilities{Add: add, Drop: drop}, true
	}
	if r.securityOpts(c, svc, sc) {
		set = true
	}
	if !set {
		return nil
	}
	return sc
}

// capabilities sorts and deduplicates capability names, without CAP_.
func capabilities(names []string) []corev1.Capability {
	var out []corev1.Capability
	for _, c := range names {
		out = append(out, corev1.Capability(strings.TrimPrefix(strings.ToUpper(c), "CAP_")))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// probe turns a compose healthcheck into a readiness probe.
func seconds(d *compose.Duration) int32 {
	if d == nil {
		return 0
	}
	return int32(time.Duration(*d).Round(time.Second) / time.Second)
}

// proxyProbe is laconic-so's TCP readiness probe for a container that an
// http-proxy route points at.
func (r *renderer) proxyProbe(container string) *corev1.Probe {
	for _, hp := range r.d.Spec.Network.HTTPProxy {
		for _, route := range hp.Routes {
			if svc, port, err := spec.SplitProxyTo(route.ProxyTo); err == nil && svc == container {
				return &corev1.Probe{
					ProbeHandler:        corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(port)}},
					InitialDelaySeconds: 5, PeriodSeconds: 10, FailureThreshold: 3,
				}
			}
		}
	}
	return nil
}

// mounts adds the service's volume mounts and records the pod volumes they
// need: named volumes (a PVC, or a ConfigMap for spec configmaps) and
// host-path binds (auto-ConfigMaps).
func (r *renderer) mounts(c deployment.Compose, svc compose.Service, volumes map[string]corev1.Volume) []corev1.VolumeMount {
	var out []corev1.VolumeMount
	for _, v := range svc.Volumes {
		switch v.Type {
		case compose.VolumeTypeVolume:
			if v.Source == "" {
				volumes[anonName(v.Target)] = corev1.Volume{Name: anonName(v.Target), VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}
				out = append(out, corev1.VolumeMount{Name: anonName(v.Target), MountPath: v.Target})
				continue
			}
			volumes[v.Source] = r.namedVolume(v.Source)
			out = append(out, corev1.VolumeMount{Name: v.Source, MountPath: v.Target, ReadOnly: v.ReadOnly})
		case compose.VolumeTypeBind:
			if host, ok := r.hostBinds[v.Source]; ok {
				vol := r.hostPathVolume(host)
				volumes[vol.Name] = vol
				out = append(out, corev1.VolumeMount{Name: vol.Name, MountPath: v.Target, ReadOnly: v.ReadOnly})
				continue
			}
			name := r.hostPaths[v.Source]
			volumes[name] = r.configMapVolume(name, name)
			m := corev1.VolumeMount{Name: name, MountPath: v.Target, ReadOnly: v.ReadOnly}
			if !isDir(v.Source) {
				m.SubPath = path.Base(v.Source)
			}
			out = append(out, m)
		case compose.VolumeTypeTmpfs:
			name := anonName(v.Target)
			volumes[name] = corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}}}
			out = append(out, corev1.VolumeMount{Name: name, MountPath: v.Target})
		default:
			r.warnf("%s: service %s: volume of type %s at %s cannot be represented and is left out", c.File.Path, c.File.ServiceName(svc.Name), v.Type, v.Target)
		}
	}
	for _, target := range svc.Tmpfs {
		target, _, _ = strings.Cut(target, ":")
		name := anonName(target)
		volumes[name] = corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}}}
		out = append(out, corev1.VolumeMount{Name: name, MountPath: target})
	}
	out = append(out, shmVolume(svc, volumes)...)
	return append(out, r.objectMounts(c, svc, volumes)...)
}

func anonName(target string) string {
	return "anon" + strings.ReplaceAll(spec.SanitizeName("-"+target), "--", "-")
}

func (r *renderer) namedVolume(vol string) corev1.Volume {
	if _, ok := r.d.Spec.ConfigMaps[vol]; ok {
		return r.configMapVolume(vol, vol)
	}
	return corev1.Volume{Name: vol, VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: r.n.prefixed(vol)}}}
}

func (r *renderer) configMapVolume(volume, cm string) corev1.Volume {
	mode := int32(0o755)
	return corev1.Volume{Name: volume, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: r.n.prefixed(cm)}, DefaultMode: &mode,
		Items: r.configItems(cm),
	}}}
}

func (r *renderer) configItems(cm string) []corev1.KeyToPath {
	if c, ok := r.configs[cm]; ok {
		return c.items
	}
	return nil
}
