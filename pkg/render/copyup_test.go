package render

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestCopyUpFillsTheVolumesDockerFills: with a copy-up image, a pod whose
// services mount named or anonymous volumes starts with one init
// container that fills each from its service's image (mounted as an image
// volume), once per volume and image; nocopy volumes, tmpfs, binds and
// ConfigMaps are not filled; without a copy-up image (deploy-to: k8s by
// default) nothing is added.
func TestCopyUpFillsTheVolumesDockerFills(t *testing.T) {
	t.Parallel()
	const project = `services:
  app:
    image: registry.example/app:1
    volumes:
      - shared:/srv/shared
      - /var/cache/app
      - type: volume
        source: raw
        target: /srv/raw
        volume: {nocopy: true}
      - ./conf:/etc/app:ro
    tmpfs: [/tmp/scratch]
  sidecar:
    image: registry.example/sidecar:1
    volumes: ["shared:/data", "own:/var/lib/sidecar"]
volumes:
  shared:
  raw:
  own:
`
	root := t.TempDir()
	_, _, objects := renderProjectIn(t, root, project, "copy-up-image: registry.example/kubectl-stack:v1\nvolumes:\n  shared:\n  raw:\n  own:\n")
	pod := podSpecOf(t, objects)
	inits, _, _ := unstructured.NestedSlice(pod, "initContainers")
	if len(inits) != 1 {
		t.Fatalf("%d init containers, want the copy-up one: %v", len(inits), inits)
	}
	init := inits[0].(map[string]any)
	args, _, _ := unstructured.NestedStringSlice(init, "args")
	want := []string{"copy-up",
		"/kubectl-stack-copy-up/copy-up-image-0:/srv/shared=/kubectl-stack-copy-up/volume-shared",
		"/kubectl-stack-copy-up/copy-up-image-0:/var/cache/app=/kubectl-stack-copy-up/volume-anonvar-cache-app",
		"/kubectl-stack-copy-up/copy-up-image-1:/var/lib/sidecar=/kubectl-stack-copy-up/volume-own"}
	if strings.Join(args, "\n") != strings.Join(want, "\n") || init["image"] != "registry.example/kubectl-stack:v1" {
		t.Errorf("copy-up runs %v with %v\nwant args %v", init["image"], args, want)
	}
	images := map[string]string{}
	volumes, _, _ := unstructured.NestedSlice(pod, "volumes")
	for _, v := range volumes {
		m := v.(map[string]any)
		if ref, ok, _ := unstructured.NestedString(m, "image", "reference"); ok {
			images[m["name"].(string)] = ref
		}
	}
	if images["copy-up-image-0"] != "registry.example/app:1" || images["copy-up-image-1"] != "registry.example/sidecar:1" || len(images) != 2 {
		t.Errorf("image volumes = %v, want app's and sidecar's", images)
	}

	_, _, objects = renderProjectIn(t, t.TempDir(), project, "volumes:\n  shared:\n  raw:\n  own:\n")
	if inits, _, _ := unstructured.NestedSlice(podSpecOf(t, objects), "initContainers"); len(inits) != 0 {
		t.Errorf("deploy-to: k8s without copy-up-image has init containers %v", inits)
	}
}

// podSpecOf is the pod spec of the only Deployment.
func podSpecOf(t *testing.T, objects []unstructured.Unstructured) map[string]any {
	t.Helper()
	for _, o := range objects {
		if o.GetKind() == "Deployment" {
			pod, _, _ := unstructured.NestedMap(o.Object, "spec", "template", "spec")
			return pod
		}
	}
	t.Fatal("no Deployment rendered")
	return nil
}
