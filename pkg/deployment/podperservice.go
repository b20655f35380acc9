package deployment

import (
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
)

// PodPerService splits each pod into pods of one service (with the
// services that join its network), for spec.yml pod-per-service. A pod is
// named after its service; with several compose files, after the file's
// pod and the service, so that two files' "db" stay apart. A compose file
// that makes one pod anyway keeps its pod and name. A service that others
// wait to complete (compose.File.OneShot) runs once, as a Job: the second
// list.
func PodPerService(pods []Compose) (services, jobs []Compose) {
	for _, c := range pods {
		groups := c.File.PodGroups()
		if len(groups) == 1 {
			services = append(services, c)
			continue
		}
		for _, group := range groups {
			name := group[0]
			if len(pods) > 1 {
				name = k8sname.Fit(c.Name+"-"+name, k8sname.MaxLabel)
			}
			split := Compose{Name: name, Written: c.Written, Shown: c.File.ServiceName(group[0]), File: c.File.Only(group)}
			if c.File.OneShot(group[0]) {
				jobs = append(jobs, split)
			} else {
				services = append(services, split)
			}
		}
	}
	return services, jobs
}
