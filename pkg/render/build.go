package render

import (
	"fmt"
	"maps"
	"slices"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Build runs kustomize (krusty, with kubectl's options) over the tree in
// memory and returns the objects as one YAML stream: exactly what
// "kubectl kustomize" of the written overlay gives.
func Build(res *Result) ([]byte, error) {
	fs := filesys.MakeFsInMemory()
	for _, name := range slices.Sorted(maps.Keys(res.Files)) {
		if err := fs.WriteFile("/"+name, res.Files[name]); err != nil {
			return nil, err
		}
	}
	opts := krusty.MakeDefaultOptions()
	// kubectl apply -k orders namespaces and other prerequisites first.
	opts.Reorder = krusty.ReorderOptionLegacy
	k := krusty.MakeKustomizer(opts)
	m, err := k.Run(fs, "/"+res.Overlay)
	if err != nil {
		return nil, fmt.Errorf("building the kustomize tree: %w", err)
	}
	return m.AsYaml()
}
