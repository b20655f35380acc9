package compose

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// rawFile is a compose file as written, parsed once, for what compose-go
// does not keep or must not be left to do: the project's name as written,
// the files it refers to (checked before compose-go opens them), and the
// volume entries as written.
type rawFile struct {
	Name     string    `yaml:"name"`
	Include  yaml.Node `yaml:"include"`
	Services map[string]struct {
		Volumes []yaml.Node `yaml:"volumes"`
		EnvFile yaml.Node   `yaml:"env_file"`
		Extends yaml.Node   `yaml:"extends"`
	} `yaml:"services"`
}

func parseRaw(data []byte) (*rawFile, error) {
	doc := &rawFile{}
	if err := yaml.Unmarshal(data, doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// volumes reads each service's volume entries as written, for two facts
// compose-go does not keep: the source path as written (it makes paths
// absolute), which names ConfigMaps as laconic-so does, and an explicit rw
// option ("src:dst:rw" or "read_only: false"), which compose-go folds into
// ReadOnly=false like no option at all. A bind with no option is accepted as
// static content; an explicit rw asks for writable host data, which a
// ConfigMap cannot give.
func (doc *rawFile) volumes() (sources map[string][]string, rw map[string]bool) {
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
	return sources, rw
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
