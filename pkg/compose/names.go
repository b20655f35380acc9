package compose

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
)

// mapNames renames the project's services and named volumes to Kubernetes
// names (k8sname's rule: the identity for names that already are valid) and
// keeps the tables, so that messages, ps and status can show the names as
// written. The rest of kubectl-stack sees only Kubernetes names.
func (f *File) mapNames() error {
	p := f.Project
	services, serr := k8sname.NewTable("service", slices.Collect(maps.Keys(p.Services)))
	volumes, verr := k8sname.NewTable("volume", slices.Collect(maps.Keys(p.Volumes)))
	if errs := append(serr, verr...); len(errs) > 0 {
		return fmt.Errorf("%s: %w", f.Path, errors.Join(errs...))
	}
	f.services, f.volumes = services, volumes
	renamed := types.Services{}
	for name, svc := range p.Services {
		svc.Name = services.K8s(name)
		for i, v := range svc.Volumes {
			if v.Type == types.VolumeTypeVolume && v.Source != "" {
				svc.Volumes[i].Source = volumes.K8s(v.Source)
			}
		}
		deps := types.DependsOnConfig{}
		for dep, cfg := range svc.DependsOn {
			deps[services.K8s(dep)] = cfg
		}
		if svc.DependsOn != nil {
			svc.DependsOn = deps
		}
		renamed[svc.Name] = svc
	}
	p.Services = renamed
	vols := types.Volumes{}
	for name, v := range p.Volumes {
		vols[volumes.K8s(name)] = v
	}
	p.Volumes = vols
	f.rawSources = renameKeys(f.rawSources, services)
	return nil
}

func renameKeys[V any](m map[string]V, t *k8sname.Table) map[string]V {
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[t.K8s(k)] = v
	}
	return out
}

// ServiceName returns a service's name as written in the compose file,
// given its Kubernetes name.
func (f *File) ServiceName(k8s string) string { return f.services.Original(k8s) }

// VolumeName returns a named volume's name as written, given its
// Kubernetes name.
func (f *File) VolumeName(k8s string) string { return f.volumes.Original(k8s) }

// RenamedServices maps each service whose Kubernetes name differs from its
// compose name (as written) to the Kubernetes name.
func (f *File) RenamedServices() map[string]string {
	renamed := f.services.Renamed()
	if f.only != nil {
		maps.DeleteFunc(renamed, func(_, k8s string) bool { return !slices.Contains(f.only, k8s) })
	}
	return renamed
}

// RenamedVolumes is RenamedServices for named volumes.
func (f *File) RenamedVolumes() map[string]string { return f.volumes.Renamed() }
