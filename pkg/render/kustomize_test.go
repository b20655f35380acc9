package render

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// kustomizeBuild runs kustomize (krusty, with kubectl's options) over the
// tree in memory: what Result.YAML must equal, byte for byte.
func kustomizeBuild(res *Result) ([]byte, error) {
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

// checkedYAML returns res.YAML() and an error when kustomize builds the
// tree into anything else: every test that builds a stack also proves
// that deploy applies exactly what render writes.
func checkedYAML(res *Result) ([]byte, error) {
	want, err := kustomizeBuild(res)
	if err != nil {
		return nil, err
	}
	got := res.YAML()
	if !bytes.Equal(got, want) {
		return nil, fmt.Errorf("Result.YAML differs from kustomize build of %s:\n%s", res.Overlay, firstDifference(got, want))
	}
	parsed, err := parseObjects(got)
	if err != nil {
		return nil, err
	}
	objects := res.Objects()
	if len(objects) != len(parsed) {
		return nil, fmt.Errorf("Result.Objects has %d objects, its YAML %d", len(objects), len(parsed))
	}
	for i := range parsed {
		if !reflect.DeepEqual(objects[i].Object, parsed[i]) {
			return nil, fmt.Errorf("Result.Objects()[%d] (%s) differs from its YAML parsed:\n%v\n%v", i, objects[i].GetName(), objects[i].Object, parsed[i])
		}
	}
	return got, nil
}

// parseObjects decodes a YAML stream as deploy used to (fluxcd/ssa's
// ReadObjects decodes the same way).
func parseObjects(data []byte) ([]map[string]any, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 2048)
	var out []map[string]any
	for {
		var u unstructured.Unstructured
		if err := dec.Decode(&u); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, err
		}
		out = append(out, u.Object)
	}
}

// firstDifference shows where two streams part, with a little context.
func firstDifference(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-200)
	return fmt.Sprintf("at byte %d\n--- YAML()\n%s\n--- kustomize build\n%s", i, got[from:min(len(got), i+200)], want[from:min(len(want), i+200)])
}

// TestYAMLIsWhatKustomizeBuilds holds Result.YAML equal to kustomize's
// build of the written tree for generated stacks of several sizes (the
// goldens are checked through checkedYAML in their own tests).
func TestYAMLIsWhatKustomizeBuilds(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{1, 1}, {3, 2}, {50, 4}} {
		res, err := Render(largeDeployment(t, size[0], size[1]), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := checkedYAML(res); err != nil {
			t.Errorf("%d pods x %d services: %v", size[0], size[1], err)
		}
	}
}
