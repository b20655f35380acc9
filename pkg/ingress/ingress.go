// Package ingress is the ingress controller kubectl-stack installs on kind
// clusters: Traefik v3, its manifests embedded (traefik.yaml) with the
// image pinned, serving the Ingress class laconic-so renders ("caddy").
package ingress

import (
	"fmt"
	"path"
	"strings"

	_ "embed"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

//go:embed traefik.yaml
var manifest string

const (
	// Namespace and Deployment name the controller.
	Namespace  = "kubectl-stack-ingress"
	Deployment = "traefik"
	// Class is the Ingress class the controller serves: laconic-so's, so
	// that a taken-over deployment's Ingresses are served unchanged.
	Class = "caddy"
	// Version is the pinned Traefik release.
	Version = "v3.6.12"
	// DefaultImage is the controller image unless the spec names one.
	// hack/traefik-image.sh builds it offline from Traefik's Go module.
	DefaultImage = "traefik:" + Version
)

// Image is the controller image for a spec: ingress-controller-image,
// else caddy-ingress-image when it names a Traefik image, else the
// default. warning says why a caddy-ingress-image is not used.
func Image(s *spec.Spec) (image, warning string) {
	switch {
	case s.IngressControllerImage != "":
		return s.IngressControllerImage, ""
	case s.CaddyIngressImage == "":
		return DefaultImage, ""
	case strings.Contains(path.Base(repository(s.CaddyIngressImage)), "traefik"):
		return s.CaddyIngressImage, ""
	}
	return DefaultImage, fmt.Sprintf("caddy-ingress-image %s is not used: kubectl-stack's ingress controller on kind is Traefik v3 (%s), run with Traefik's flags, so a Caddy image cannot replace it; set ingress-controller-image to a Traefik v3 image to choose another one", s.CaddyIngressImage, DefaultImage)
}

// repository is an image reference without its tag or digest.
func repository(image string) string {
	image, _, _ = strings.Cut(image, "@")
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		image = image[:i]
	}
	return image
}

// Objects are the controller's objects running image.
func Objects(image string) ([]*unstructured.Unstructured, error) {
	objs, err := apply.ReadObjects([]byte(strings.ReplaceAll(manifest, "image: IMAGE", "image: "+image)))
	if err != nil {
		return nil, fmt.Errorf("reading the embedded ingress controller manifests: %w", err)
	}
	return objs, nil
}

// Routes reports whether objects hold an Ingress the controller serves.
func Routes(objects []*unstructured.Unstructured) bool {
	for _, o := range objects {
		if o.GetKind() == "Ingress" {
			return true
		}
	}
	return false
}
