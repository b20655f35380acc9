package spec

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Config is the spec's config map. Values may be written as any YAML scalar
// (true, 5, text); they are kept as the text written.
type Config map[string]string

// UnmarshalYAML accepts any scalar value.
func (c *Config) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: config must be a mapping of NAME: value", n.Line)
	}
	out := Config{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: config value of %q must be a single value, not a list or mapping", v.Line, k.Value)
		}
		if v.Tag == "!!null" {
			out[k.Value] = ""
			continue
		}
		out[k.Value] = v.Value
	}
	*c = out
	return nil
}

// PortList is a service's port list; entries may be written as numbers or
// strings ("8080", "9000:9000/udp").
type PortList []string

// UnmarshalYAML accepts a list of scalars.
func (p *PortList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.SequenceNode {
		return fmt.Errorf("line %d: ports must be a list such as [\"8080\", \"9000/udp\"]", n.Line)
	}
	out := make(PortList, 0, len(n.Content))
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode || item.Value == "" {
			return fmt.Errorf("line %d: a port must be a number or a string such as \"8080\"", item.Line)
		}
		out = append(out, item.Value)
	}
	*p = out
	return nil
}

// Bool accepts YAML booleans and the strings "true"/"false" that
// laconic-so specs sometimes carry.
type Bool bool

// UnmarshalYAML accepts true/false in any of their YAML spellings.
func (b *Bool) UnmarshalYAML(n *yaml.Node) error {
	v, err := strconv.ParseBool(strings.ToLower(n.Value))
	if n.Kind != yaml.ScalarNode || err != nil {
		return fmt.Errorf("line %d: expected true or false, found %q", n.Line, n.Value)
	}
	*b = Bool(v)
	return nil
}

// Quantity is a size or CPU amount with Kubernetes quantity semantics:
// 2Gi = 2^31 bytes, 2G = 2*10^9, 0.5 CPUs = 500m. laconic-so's "2GB" and
// "2GiB" spellings are accepted as 2G and 2Gi.
// NOTE: laconic-so reads 2Gi as 2*10^9 bytes; we follow Kubernetes.
type Quantity struct {
	resource.Quantity
}

// UnmarshalYAML parses a number or a quantity string.
func (q *Quantity) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: expected a quantity such as 2Gi or 0.5", n.Line)
	}
	parsed, err := ParseQuantity(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	q.Quantity = parsed
	return nil
}

// MarshalYAML writes the quantity in its canonical form.
func (q Quantity) MarshalYAML() (any, error) {
	return q.String(), nil
}

// ParseQuantity parses a Kubernetes quantity, also accepting a trailing "B"
// after a unit (GB, GiB, MB, ...).
func ParseQuantity(s string) (resource.Quantity, error) {
	v := strings.TrimSpace(s)
	if len(v) > 1 && (v[len(v)-1] == 'B' || v[len(v)-1] == 'b') && strings.ContainsAny(v[len(v)-2:len(v)-1], "kKMGTPEi") {
		v = v[:len(v)-1]
	}
	q, err := resource.ParseQuantity(v)
	if err != nil {
		return resource.Quantity{}, fmt.Errorf("%q is not a quantity; write it like 512Mi, 2Gi, 2G or 0.5", s)
	}
	return q, nil
}
