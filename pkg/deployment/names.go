package deployment

import (
	"fmt"
	"slices"

	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
)

// checkNameCollisions finds compose names of different files that map to
// one Kubernetes name: two pods (a_b and a.b), or one volume spelled two
// ways (db_data in one file, db.data in another), which would silently
// share one object. Within one file compose.Load already refuses them.
func (b *builder) checkNameCollisions() {
	var pods []string
	var podFiles, jobFiles []Compose
	volumes := map[string]string{} // k8s name → first written name
	where := map[string]string{}   // k8s name → compose file of it
	for _, lp := range b.composes {
		pods = append(pods, lp.pod.Name)
		c := Compose{Name: k8sname.Label(lp.pod.Name), Written: lp.pod.Name, Shown: lp.pod.Name, File: lp.file}
		if lp.isJob {
			jobFiles = append(jobFiles, c)
		} else {
			podFiles = append(podFiles, c)
		}
		for _, v := range lp.file.NamedVolumes() {
			written := lp.file.VolumeName(v.Name)
			if prev, seen := volumes[v.Name]; seen && prev != written {
				b.fail("%s and %s: %v", where[v.Name], lp.pod.ComposeFile,
					&k8sname.CollisionError{Kind: "volume", Names: [2]string{prev, written}, Mapped: v.Name})
				continue
			}
			volumes[v.Name], where[v.Name] = written, lp.pod.ComposeFile
		}
	}
	if _, errs := k8sname.NewTable("pod", pods); len(errs) > 0 {
		for _, err := range errs {
			b.fail("%s: pods: %v", b.plan.Stack.Dir, err)
		}
	}
	if b.plan.Spec.PodPerService {
		pods, oneShot := PodPerService(podFiles)
		b.checkServicePodNames(pods, "pod")
		b.checkServicePodNames(append(jobFiles, oneShot...), "job")
	}
}

// checkServicePodNames refuses two pod-per-service pods (or jobs) that get
// one name (pod a-b's service c and pod a's service b-c are both a-b-c; a
// one-shot service named like one of the stack's jobs).
func (b *builder) checkServicePodNames(pods []Compose, kind string) {
	seen := map[string]Compose{}
	for _, c := range pods {
		if prev, taken := seen[c.Name]; taken {
			b.fail("%s: pod-per-service: %s of %s and %s of %s would both run as %s %s; rename one of them or set pod-per-service: false",
				b.specPath, prev.Shown, prev.Written, c.Shown, c.Written, kind, c.Name)
			continue
		}
		seen[c.Name] = c
	}
}

// AnnotationSharedPort is the compose service label that says two
// containers of one pod publishing one port is intended (for example, only
// one of them listens at a time).
const AnnotationSharedPort = "kubectl-stack.io/shared-port"

// checkPods checks each pod a compose file makes: no two containers listen
// on one container port (they share one network namespace, so the second
// cannot bind it; docker compose gave each its own), and, with
// pod-per-service, the pod has a container that runs.
func (b *builder) checkPods(lp loadedPod) {
	for _, group := range b.podsOf(lp) {
		b.checkPodPorts(lp, group)
		if b.splits(lp) {
			b.checkNotInitOnly(lp, group)
		}
	}
}

// podsOf are the services of each pod a compose file makes: all of them,
// or with pod-per-service its PodGroups.
func (b *builder) podsOf(lp loadedPod) [][]string {
	if b.splits(lp) {
		return lp.file.PodGroups()
	}
	return [][]string{lp.file.ServiceNames()}
}

// splits reports whether pod-per-service splits the compose file (jobs
// are never split).
func (b *builder) splits(lp loadedPod) bool {
	return b.plan.Spec.PodPerService && !lp.isJob
}

// checkNotInitOnly refuses a pod-per-service pod that would hold only init
// containers (services labelled laconic.init-container): a pod needs a
// container that runs.
func (b *builder) checkNotInitOnly(lp loadedPod, group []string) {
	if !slices.ContainsFunc(group, func(name string) bool { return !compose.IsInitContainer(lp.file.Project.Services[name]) }) {
		b.fail("%s: pod %s, service %s: an init container (laconic.init-container) would be a pod of its own with pod-per-service; put it in the pod it prepares with network_mode: \"service:<that service>\", or drop the label", lp.pod.ComposeFile, lp.pod.Name, lp.file.ServiceName(group[0]))
	}
}

// checkPodPorts refuses two containers of one pod on one container port;
// init containers run before the others and do not clash.
func (b *builder) checkPodPorts(lp loadedPod, services []string) {
	for _, c := range portClashes(lp.file, services) {
		b.fail("%s: pod %s: services %s and %s both listen on container port %s, but %s; %s, or label one of them %s: \"true\" if that is intended",
			lp.pod.ComposeFile, lp.pod.Name, lp.file.ServiceName(c.first), lp.file.ServiceName(c.second), c.port, b.whyOnePod(lp), b.portClashFix(lp), AnnotationSharedPort)
	}
}

// portClash is two services of one pod on one container port.
type portClash struct {
	first, second string
	port          compose.ContainerPort
}

// portClashes lists the container ports that two of services (as one pod)
// listen on; init containers and services labelled AnnotationSharedPort
// are left out.
func portClashes(f *compose.File, services []string) []portClash {
	var out []portClash
	owner := map[compose.ContainerPort]string{}
	for _, name := range services {
		svc := f.Project.Services[name]
		if compose.IsInitContainer(svc) || svc.Labels[AnnotationSharedPort] == "true" {
			continue
		}
		for _, port := range compose.ContainerPorts(svc) {
			if prev, taken := owner[port]; taken && prev != name {
				out = append(out, portClash{first: prev, second: name, port: port})
				continue
			}
			owner[port] = name
		}
	}
	return out
}

func (b *builder) whyOnePod(lp loadedPod) string {
	if b.splits(lp) {
		return "one joins the other's network (network_mode: service:...), so they share a pod"
	}
	return "the services of one compose file share a pod and its network"
}

func (b *builder) portClashFix(lp loadedPod) string {
	switch {
	case lp.isJob:
		return "change one port or move one service to its own compose file"
	case b.plan.Spec.PodPerService:
		return "change one port"
	}
	return fmt.Sprintf("set pod-per-service: true in %s to run each service in its own pod (as docker compose runs each in its own container), change one port, move one service to its own compose file (pod)", b.specPath)
}
