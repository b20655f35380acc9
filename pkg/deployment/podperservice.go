package deployment

import (
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
)

// PodPerService splits each pod into pods of one service (with the
// services that join its network), for spec.yml pod-per-service. A pod is
// named after its service; with several compose files, after the file's
// pod and the service, so that two files' "db" stay apart. A compose file
// that makes one pod anyway keeps its pod and name.
func PodPerService(pods []Compose) []Compose {
	var out []Compose
	for _, c := range pods {
		groups := c.File.PodGroups()
		if len(groups) == 1 {
			out = append(out, c)
			continue
		}
		for _, group := range groups {
			name := group[0]
			if len(pods) > 1 {
				name = k8sname.Fit(c.Name+"-"+name, k8sname.MaxLabel)
			}
			out = append(out, Compose{Name: name, Written: c.Written, Shown: c.File.ServiceName(group[0]), File: c.File.Only(group)})
		}
	}
	return out
}
