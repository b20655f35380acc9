package spec

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
)

// normalize rewrites the keys that name compose services and volumes
// (volumes, configmaps, per-volume and per-container resources,
// image-overrides, network.ports) to their Kubernetes names, so that
// a spec may use the compose spelling (db_data) and the rest of
// kubectl-stack compares Kubernetes names only. Keys that already are
// valid names are unchanged (laconic-so specs). Two keys of one section
// that map to one name are an error naming both.
func (s *Spec) normalize(file string) error {
	var errs []error
	s.written = map[string]string{}
	s.Volumes = mapKeys(file, "volumes", s.Volumes, s.written, &errs)
	s.ConfigMaps = mapKeys(file, "configmaps", s.ConfigMaps, s.written, &errs)
	s.ImageOverrides = mapKeys(file, "image-overrides", s.ImageOverrides, nil, &errs)
	s.Network.Ports = mapKeys(file, "network.ports", s.Network.Ports, nil, &errs)
	s.Resources.Containers.PerContainer = mapKeys(file, "resources.containers", s.Resources.Containers.PerContainer, nil, &errs)
	s.Resources.Volumes.PerVolume = mapKeys(file, "resources.volumes", s.Resources.Volumes.PerVolume, nil, &errs)
	return errors.Join(errs...)
}

func mapKeys[V any](file, section string, m map[string]V, written map[string]string, errs *[]error) map[string]V {
	if m == nil {
		return nil
	}
	table, collisions := k8sname.NewTable("key", slices.Collect(maps.Keys(m)))
	for _, err := range collisions {
		*errs = append(*errs, fmt.Errorf("%s: %s: %w", file, section, err))
	}
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[table.K8s(k)] = v
		if written != nil && table.K8s(k) != k {
			written[table.K8s(k)] = k
		}
	}
	return out
}

// Written returns a volume's or configmap's key as written in the spec,
// given its Kubernetes name.
func (s *Spec) Written(k8s string) string {
	if w, ok := s.written[k8s]; ok {
		return w
	}
	return k8s
}
