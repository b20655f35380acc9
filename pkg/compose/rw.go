package compose

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// rawVolumes reads each service's volume entries as written, for two facts
// compose-go does not keep: the source path as written (it makes paths
// absolute), which names ConfigMaps as laconic-so does, and an explicit rw
// option ("src:dst:rw" or "read_only: false"), which compose-go folds into
// ReadOnly=false like no option at all. A bind with no option is accepted as
// static content; an explicit rw asks for writable host data, which a
// ConfigMap cannot give.
func rawVolumes(data []byte) (sources map[string][]string, rw map[string]bool, name string, err error) {
	var doc struct {
		Name     string `yaml:"name"`
		Services map[string]struct {
			Volumes []yaml.Node `yaml:"volumes"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, "", err
	}
	sources, rw = map[string][]string{}, map[string]bool{}
	for svc, s := range doc.Services {
		for _, v := range s.Volumes {
			src, isRW := rawSource(&v)
			sources[svc] = append(sources[svc], src)
			if isRW {
				rw[svc+"\x00"+src] = true
			}
		}
	}
	return sources, rw, doc.Name, nil
}

// rawSource returns a volume entry's source as written and whether it asks
// for rw explicitly.
func rawSource(n *yaml.Node) (string, bool) {
	switch n.Kind {
	case yaml.ScalarNode:
		parts := strings.Split(n.Value, ":")
		if len(parts) < 3 {
			return parts[0], false
		}
		for _, opt := range strings.Split(parts[len(parts)-1], ",") {
			if opt == "rw" {
				return parts[0], true
			}
		}
		return parts[0], false
	case yaml.MappingNode:
		var long struct {
			Source   string `yaml:"source"`
			ReadOnly *bool  `yaml:"read_only"`
		}
		if n.Decode(&long) == nil {
			return long.Source, long.ReadOnly != nil && !*long.ReadOnly
		}
	}
	return "", false
}
