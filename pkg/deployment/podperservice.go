package deployment

import (
	"slices"

	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
)

// PodPerService splits each pod into pods of one service (with the
// services that join its network), for spec.yml pod-per-service. A pod is
// named after its service; with several compose files, after the file's
// pod and the service, so that two files' "db" stay apart. A compose file
// that makes one pod anyway keeps its pod and name. A service that runs
// once (runsOnce) is a Job: the second list.
func PodPerService(pods []Compose) (services, jobs []Compose) {
	for _, c := range pods {
		groups := c.File.PodGroups()
		if len(groups) == 1 {
			services, jobs = sortOnce(services, jobs, c, c.File, groups[0])
			continue
		}
		for _, group := range groups {
			name := group[0]
			if len(pods) > 1 {
				name = k8sname.Fit(c.Name+"-"+name, k8sname.MaxLabel)
			}
			split := Compose{Name: name, Written: c.Written, Shown: c.File.ServiceName(group[0]), File: c.File.Only(group)}
			services, jobs = sortOnce(services, jobs, split, c.File, group)
		}
	}
	return services, jobs
}

// RunOncePods makes Jobs of the pods (one per compose file, laconic-so's
// layout) whose every service runs once; a pod that mixes them stays a
// Deployment, and render says which of its services it restarts.
func RunOncePods(pods []Compose) (services, jobs []Compose) {
	for _, c := range pods {
		if c.File.AllRunOnce() {
			c.Wait = waitedFor(c.File, c.File.ServiceNames())
			jobs = append(jobs, c)
			continue
		}
		services = append(services, c)
	}
	return services, jobs
}

// sortOnce adds a pod of the group's services to services, or to jobs when
// it runs once: another service of the whole file waits for it to
// complete (deploy waits too), or every service of the group runs once by
// its restart policy.
func sortOnce(services, jobs []Compose, c Compose, whole *compose.File, group []string) ([]Compose, []Compose) {
	if c.Wait = waitedFor(whole, group); c.Wait || whole.Only(group).AllRunOnce() {
		return services, append(jobs, c)
	}
	return append(services, c), jobs
}

// waitedFor: another service of the file waits for one of these to
// complete.
func waitedFor(f *compose.File, group []string) bool {
	return slices.ContainsFunc(group, f.OneShot)
}
