package render

import (
	"fmt"
	"path"
	"slices"
	"strings"

	yamlv2 "go.yaml.in/yaml/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/kustomize/api/types"
)

func (r *renderer) renderNamespace() {
	ns := &corev1.Namespace{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: r.clusterMeta(r.ns, nil),
	}
	r.overlay = append(r.overlay, object{file: "namespace.yaml", obj: ns})
}

func (r *renderer) baseDir() string    { return BaseDir(r.stack, r.n.id) }
func (r *renderer) overlayDir() string { return OverlayDir(r.n.id) }

// BaseDir is the base of one deployment in a tree. Every deployment has its
// own: the objects keep laconic-so's names, which start with the
// deployment-id, and its selectors (app: <deployment-id>, immutable once
// applied), and the spec.yml of each deployment shapes them (config,
// resources, replicas, images), so no part of a stack's objects is the
// same for two deployments. Grouping by stack keeps them together.
func BaseDir(stack, id string) string { return "base/" + stack + "/" + id }

// OverlayDir is the overlay of one deployment in a tree: what pipelines
// build.
func OverlayDir(id string) string { return "overlays/" + id }

// PipelineDir holds a deployment's Flux and Argo CD objects, outside
// every overlay (a pipeline does not apply itself).
func PipelineDir(id string) string { return "pipelines/" + id }

// tree lays the objects out: base/<stack>/<deployment-id>/ holds what the
// stack's compose files produce, overlays/<deployment-id>/ the Namespace
// and the host-path PVs. Nothing in it depends on where it is rendered:
// the namespace's owner (the deployment directory) is added by deploy.
//
// NOTE: objects carry their namespace and labels themselves rather than
// through the overlay's namespace: and labels: fields. kustomize's
// transformers change every object's id, and the name-reference fix-up
// that follows is quadratic in the number of objects: 5.4 s for the 900
// objects of the 50x4 benchmark stack, against 1 s without them. The
// labels never reach selectors either way.
func (r *renderer) tree() (map[string][]byte, []document, error) {
	files := map[string][]byte{}
	baseRes, baseDocs, err := writeObjects(files, r.baseDir(), r.base)
	if err != nil {
		return nil, nil, err
	}
	overlayRes, overlayDocs, err := writeObjects(files, r.overlayDir(), r.overlay)
	if err != nil {
		return nil, nil, err
	}
	base := types.Kustomization{Resources: baseRes}
	overlay := types.Kustomization{
		Resources: append([]string{"../../" + r.baseDir()}, overlayRes...),
	}
	for dir, k := range map[string]types.Kustomization{r.baseDir(): base, r.overlayDir(): overlay} {
		if err := writeKustomization(files, dir, k); err != nil {
			return nil, nil, err
		}
	}
	return files, append(baseDocs, overlayDocs...), nil
}

// writeObjects serialises objects into their files (several objects of one
// file become a multi-document file, in a stable order) and returns the
// file names for the kustomization's resources and the documents written.
func writeObjects(files map[string][]byte, dir string, objs []object) ([]string, []document, error) {
	byFile := map[string][]document{}
	for _, o := range objs {
		d, err := newDocument(o.obj)
		if err != nil {
			return nil, nil, err
		}
		byFile[o.file] = append(byFile[o.file], d)
	}
	var names []string
	var all []document
	for name, docs := range byFile {
		slices.SortFunc(docs, func(a, b document) int { return strings.Compare(a.yaml, b.yaml) })
		files[path.Join(dir, name)] = []byte(joinDocuments(docs))
		names = append(names, name)
		all = append(all, docs...)
	}
	slices.Sort(names)
	return names, all, nil
}

// newDocument writes an object as YAML without the empty status and the
// null creationTimestamp that typed objects carry.
func newDocument(obj any) (document, error) {
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return document{}, fmt.Errorf("converting %T: %w", obj, err)
	}
	delete(u, "status")
	if meta, ok := u["metadata"].(map[string]any); ok {
		delete(meta, "creationTimestamp")
	}
	stripTemplateTimestamp(u)
	// What sigs.k8s.io/yaml.Marshal (and kustomize's output) write, without
	// its detour through JSON, which took half of render: it re-encodes
	// the JSON with this same YAML library.
	data, err := yamlv2.Marshal(u)
	if err != nil {
		return document{}, err
	}
	return document{id: idOf(unstructured.Unstructured{Object: u}), yaml: string(data), object: u}, nil
}

func stripTemplateTimestamp(u map[string]any) {
	spec, _ := u["spec"].(map[string]any)
	tmpl, _ := spec["template"].(map[string]any)
	if meta, ok := tmpl["metadata"].(map[string]any); ok {
		delete(meta, "creationTimestamp")
	}
}
