package render

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-stack/kubectl-stack/pkg/labels"
)

// A GitOps pipeline that applies the overlay in one piece starts every
// workload at once, where deploy applies depends_on's waves in order. For
// Flux, render can lay the overlay out once more, one kustomization per
// wave under pipelines/<deployment-id>/waves/<n>, for one Kustomization
// per wave that depends on the one before and waits: wave 0 is the
// overlay without the later waves' workloads (removed with $patch:
// delete), each later wave its workloads' documents, as written in the
// base. Together they build exactly the overlay's objects.

// WaveOverlays returns the wave kustomizations' directories in order and
// their files; none when no workload waits for another.
func (res *Result) WaveOverlays() ([]string, map[string][]byte, error) {
	later := map[int][]document{}
	for _, d := range res.documents {
		meta, _ := d.object["metadata"].(map[string]any)
		annotations, _ := meta["annotations"].(map[string]any)
		if w, _ := strconv.Atoi(fmt.Sprint(annotations[labels.WaveAnnotation])); w > 0 {
			later[w] = append(later[w], d)
		}
	}
	if len(later) == 0 {
		return nil, nil, nil
	}
	files := map[string][]byte{}
	root := path.Join(PipelineDir(res.DeploymentID), "waves")
	first := path.Join(root, "0")
	var deletes []types.Patch
	for _, w := range slices.Sorted(maps.Keys(later)) {
		for _, d := range later[w] {
			deletes = append(deletes, types.Patch{Patch: deletePatch(d.id)})
		}
	}
	up := strings.Repeat("../", strings.Count(first, "/")+1)
	if err := writeKustomization(files, first, types.Kustomization{Resources: []string{up + res.Overlay}, Patches: deletes}); err != nil {
		return nil, nil, err
	}
	dirs := []string{first}
	for _, w := range slices.Sorted(maps.Keys(later)) {
		dir := path.Join(root, strconv.Itoa(w))
		var names []string
		for _, d := range later[w] {
			name := strings.ToLower(d.id.kind) + "-" + d.id.name + ".yaml"
			files[path.Join(dir, name)] = []byte(d.yaml)
			names = append(names, name)
		}
		slices.Sort(names)
		if err := writeKustomization(files, dir, types.Kustomization{Resources: names}); err != nil {
			return nil, nil, err
		}
		dirs = append(dirs, dir)
	}
	return dirs, files, nil
}

// deletePatch removes one object from what a kustomization builds.
func deletePatch(id objectID) string {
	apiVersion := id.version
	if id.group != "" {
		apiVersion = id.group + "/" + id.version
	}
	return fmt.Sprintf("$patch: delete\napiVersion: %s\nkind: %s\nmetadata:\n  name: %s\n  namespace: %s\n", apiVersion, id.kind, id.name, id.namespace)
}

func writeKustomization(files map[string][]byte, dir string, k types.Kustomization) error {
	k.TypeMeta = types.TypeMeta{APIVersion: types.KustomizationVersion, Kind: types.KustomizationKind}
	data, err := yaml.Marshal(k)
	if err != nil {
		return err
	}
	files[path.Join(dir, "kustomization.yaml")] = data
	return nil
}
