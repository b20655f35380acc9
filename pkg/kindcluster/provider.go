package kindcluster

import (
	"sigs.k8s.io/kind/pkg/cluster"
)

// ListClusters returns the names of the running kind clusters, using the
// node provider kind itself would pick (docker, podman or nerdctl).
func ListClusters() ([]string, error) {
	opt, err := cluster.DetectNodeProvider()
	if err != nil {
		return nil, err
	}
	return cluster.NewProvider(opt).List()
}
