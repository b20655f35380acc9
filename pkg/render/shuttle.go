package render

import (
	"maps"
	"slices"
	"strings"

	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
)

// shuttle implements a stack's config: (laconic-so's value shuttling:
// dest_container → {dest_var: "src_container.src_var"}) for the values it
// can know: the source variable as the source container's compose
// environment or the spec's config sets it. laconic-so read it from the
// running container, which on Kubernetes it never managed (its k8s exec
// was a no-op and the loop never ended); a value only the running
// container knows is an error that says what to do instead.
func (r *renderer) shuttle(dest string, values map[string]string) {
	for _, key := range slices.Sorted(maps.Keys(r.d.Definition.Config)) {
		if key != dest && k8sname.Label(key) != k8sname.Label(dest) {
			continue
		}
		vars := r.d.Definition.Config[key]
		for _, destVar := range slices.Sorted(maps.Keys(vars)) {
			ref := vars[destVar]
			src, srcVar, ok := strings.Cut(ref, ".")
			if !ok {
				r.failf("stack.yml: config.%s.%s: %q must be <container>.<variable>", key, destVar, ref)
				continue
			}
			v, found := r.staticValue(src, srcVar)
			if !found {
				r.failf("stack.yml: config.%s.%s: %s is not set in the compose environment of %s nor in the spec's config, so its value exists only in the running container, which Kubernetes cannot copy between containers; set %s in the spec's config instead", key, destVar, srcVar, src, destVar)
				continue
			}
			values[destVar] = v
		}
	}
}

// staticValue is a variable of a compose service as it will be set: the
// spec's config wins over the service's environment.
func (r *renderer) staticValue(service, name string) (string, bool) {
	if v := r.d.Spec.Config[name]; v != "" && !strings.HasPrefix(v, "$generate:") {
		return v, true
	}
	for _, c := range r.composes() {
		for _, s := range c.File.ServiceNames() {
			if s != service && c.File.ServiceName(s) != service && k8sname.Label(service) != s {
				continue
			}
			if v := c.File.Project.Services[s].Environment[name]; v != nil {
				return *v, true
			}
		}
	}
	return "", false
}
