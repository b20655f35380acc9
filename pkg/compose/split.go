package compose

import (
	"maps"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// PodGroups are the services of the file as pods of their own, for a
// deployment that runs each compose service in its own pod (spec.yml
// pod-per-service), as docker compose runs each in its own container. A
// service with network_mode "service:X" joins X's group: docker compose
// puts it in X's network namespace, which on Kubernetes is X's pod. Each
// group starts with the service whose network it is (the pod's name), then
// the others sorted; the groups are sorted by that first service.
func (f *File) PodGroups() [][]string {
	var find func(name string, seen map[string]bool) string
	find = func(name string, seen map[string]bool) string {
		target, ok := f.networkPeer(name)
		if !ok || seen[target] {
			return name
		}
		seen[name] = true
		return find(target, seen)
	}
	groups := map[string][]string{}
	for _, name := range f.ServiceNames() {
		leader := find(name, map[string]bool{})
		groups[leader] = append(groups[leader], name)
	}
	var out [][]string
	for _, l := range slices.Sorted(maps.Keys(groups)) {
		others := slices.DeleteFunc(groups[l], func(s string) bool { return s == l })
		out = append(out, append([]string{l}, slices.Sorted(slices.Values(others))...))
	}
	return out
}

// networkPeer is the service whose network a service joins
// (network_mode: service:X), by Kubernetes name, when the file has it.
func (f *File) networkPeer(name string) (string, bool) {
	ref, ok := strings.CutPrefix(f.Project.Services[name].NetworkMode, types.NetworkModeServicePrefix)
	if !ok {
		return "", false
	}
	peer := f.services.K8s(ref)
	_, exists := f.Project.Services[peer]
	return peer, exists
}

// Only is a view of the file holding only the named services (Kubernetes
// names); everything else (volumes, paths, notes) stays the file's.
func (f *File) Only(services []string) *File {
	view := *f
	view.whole = f.wholeProject()
	project := *f.Project
	project.Services = types.Services{}
	for _, name := range services {
		project.Services[name] = f.Project.Services[name]
	}
	view.Project = &project
	view.only = services
	return &view
}

// OneShot reports whether a service is meant to run once and exit: another
// service of the file waits for it to complete successfully (depends_on
// condition service_completed_successfully), the way compose projects run
// migrations and seeders.
func (f *File) OneShot(name string) bool {
	for _, svc := range f.Project.Services {
		if dep, ok := svc.DependsOn[name]; ok && dep.Condition == types.ServiceConditionCompletedSuccessfully {
			return true
		}
	}
	return false
}

// wholeProject is the services of the whole file, also in a view.
func (f *File) wholeProject() types.Services {
	if f.whole != nil {
		return f.whole
	}
	return f.Project.Services
}
