package kindcluster

import (
	"fmt"

	kindcluster "sigs.k8s.io/kind/pkg/cluster"
)

// ListClusters returns the names of the running kind clusters, using the
// node provider kind itself would pick (docker, podman or nerdctl).
func ListClusters() ([]string, error) {
	opt, err := kindcluster.DetectNodeProvider()
	if err != nil {
		return nil, err
	}
	return kindcluster.NewProvider(opt).List()
}

// ControlPlane returns the container name of a cluster's control-plane node.
func ControlPlane(cluster string) (string, error) {
	opt, err := kindcluster.DetectNodeProvider()
	if err != nil {
		return "", err
	}
	nodes, err := kindcluster.NewProvider(opt).ListNodes(cluster)
	if err != nil {
		return "", fmt.Errorf("listing the nodes of kind cluster %q: %w", cluster, err)
	}
	for _, n := range nodes {
		if role, err := n.Role(); err == nil && role == "control-plane" {
			return n.String(), nil
		}
	}
	return "", fmt.Errorf("kind cluster %q has no control-plane node (is it running? kubectl stack kind create -d DIR creates it)", cluster)
}
