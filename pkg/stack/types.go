package stack

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Definition is the content of stack.yml (laconic-so.md §1.2).
type Definition struct {
	Version     string   `yaml:"version,omitempty"`
	Name        string   `yaml:"name,omitempty"`
	Description string   `yaml:"description,omitempty"`
	Repos       []string `yaml:"repos,omitempty"`
	Containers  []string `yaml:"containers,omitempty"`
	NPMs        []string `yaml:"npms,omitempty"`
	Pods        []PodRef `yaml:"pods,omitempty"`
	Jobs        []PodRef `yaml:"jobs,omitempty"`
	// Config is laconic-so's value shuttling between containers
	// (dest_container → {dest_var: "src_container.src_var"}); render sets
	// the values it can know statically and refuses the others.
	Config map[string]map[string]string `yaml:"config,omitempty"`
}

// PodRef names a pod (or job): either a plain name, or the multi-repository
// form {name, repository, path}.
type PodRef struct {
	Name             string `yaml:"name"`
	Repository       string `yaml:"repository,omitempty"`
	Path             string `yaml:"path,omitempty"`
	PreStartCommand  string `yaml:"pre_start_command,omitempty"`
	PostStartCommand string `yaml:"post_start_command,omitempty"`
	// MergeFiles are further compose files merged into the pod's, in
	// order, as docker compose -f pod.yml -f other.yml merges them;
	// relative to the pod's compose file. kubectl-stack writes it for a
	// project run with several files (COMPOSE_FILE).
	MergeFiles []string `yaml:"merge-files,omitempty"`
}

// UnmarshalYAML accepts a string or a mapping.
func (p *PodRef) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*p = PodRef{Name: n.Value}
		return nil
	}
	type plain PodRef
	var v plain
	if err := n.Decode(&v); err != nil {
		return err
	}
	if v.Name == "" {
		return fmt.Errorf("line %d: a pod given as a mapping needs a name", n.Line)
	}
	*p = PodRef(v)
	return nil
}

// MarshalYAML writes the short form when only the name is set.
func (p PodRef) MarshalYAML() (any, error) {
	if p.Repository == "" && p.Path == "" && p.PreStartCommand == "" && p.PostStartCommand == "" && len(p.MergeFiles) == 0 {
		return p.Name, nil
	}
	type plain PodRef
	return plain(p), nil
}
