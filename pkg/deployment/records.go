package deployment

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kubectl-stack/kubectl-stack/pkg/yamlstrict"
)

// readRecordFile decodes a YAML file create writes into D (host-paths.yml,
// builds.yml); a missing file is the zero document (a laconic-so
// directory, or one whose stack needs none).
func readRecordFile[T any](dir, name string) (T, error) {
	var doc T
	data, err := os.ReadFile(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return doc, nil
	}
	if err != nil {
		return doc, err
	}
	err = yamlstrict.Decode(filepath.Join(dir, name), data, &doc)
	return doc, err
}

// addRecordFile plans such a file, with a header saying who writes it.
func (b *builder) addRecordFile(name string, doc any, header string) {
	data, err := yamlstrict.Encode(doc)
	if err != nil {
		b.fail("writing %s: %v", name, err)
		return
	}
	b.plan.Files[name] = File{Data: append([]byte(header), data...), Mode: 0o644}
}
