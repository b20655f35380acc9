package spec

import (
	"fmt"
	"os"

	"github.com/kubectl-stack/kubectl-stack/pkg/yamlstrict"
)

// Load reads and strictly decodes a spec file. It does not validate values;
// call Validate for that.
func Load(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading spec: %w", err)
	}
	return Parse(path, data)
}

// Parse strictly decodes spec content; file names the source in errors.
func Parse(file string, data []byte) (*Spec, error) {
	s := &Spec{}
	if err := yamlstrict.Decode(file, data, s); err != nil {
		return nil, err
	}
	if err := s.normalize(file); err != nil {
		return nil, err
	}
	return s, nil
}
