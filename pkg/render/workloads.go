package render

import (
	"maps"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
	"github.com/kubectl-stack/kubectl-stack/pkg/kindcluster"
	"github.com/kubectl-stack/kubectl-stack/pkg/labels"
)

// labels are the labels of every object and pod template: laconic-so's
// app and stack, plus managed-by and the deployment-id. Selectors use only
// laconic-so's labels (see selector), so taking over a laconic-so
// deployment never changes an immutable selector.
func (r *renderer) labels() map[string]string {
	return map[string]string{LabelApp: r.n.id, LabelStack: r.stack, LabelManagedBy: ManagedBy, LabelDeploymentID: r.n.id}
}

// selector is a pod file's selector, laconic-so's: app, plus the component
// when the stack has several pod files.
func (r *renderer) selector(pod string) map[string]string {
	sel := map[string]string{LabelApp: r.n.id}
	if r.n.multi {
		sel[LabelComponent] = pod
	}
	return sel
}

func (r *renderer) meta(name string, extra map[string]string) metav1.ObjectMeta {
	l := r.labels()
	maps.Copy(l, extra)
	return metav1.ObjectMeta{Name: name, Namespace: r.ns, Labels: l}
}

// clusterMeta is meta for cluster-scoped objects.
func (r *renderer) clusterMeta(name string, extra map[string]string) metav1.ObjectMeta {
	m := r.meta(name, extra)
	m.Namespace = ""
	return m
}

func (r *renderer) renderPod(c deployment.Compose) {
	parts := r.buildPod(c)
	replicas := int32(1)
	if n := r.composeReplicas(c); n != nil {
		replicas = *n
	}
	if r.d.Spec.Replicas != nil {
		replicas = *r.d.Spec.Replicas
	}
	templateLabels := r.labels()
	maps.Copy(templateLabels, r.selector(c.Name))
	maps.Copy(templateLabels, r.expand(r.d.Spec.Labels, c.File.ServiceNames()))
	podSpec := r.podSpec(parts, true)
	r.applyIdentity(&podSpec, r.podIdentity(c), r.selector(c.Name))
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: r.meta(r.n.deployment(c.Name), componentLabel(r.n.multi, c.Name)),
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: r.selector(c.Name)},
			Strategy: strategy(parts.writesData),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: templateLabels, Annotations: withServiceNames(c, r.expand(r.d.Spec.Annotations, c.File.ServiceNames()))},
				Spec:       podSpec,
			},
		},
	}
	d.Annotations = composeName(c.Shown, c.Name)
	r.base = append(r.base, object{file: "deployment-" + c.Name + ".yaml", obj: d})
	r.renderDiscoveryServices(c, r.selector(c.Name))
	r.warnRestartedOnce(c)
}

// warnRestartedOnce names the services of a Deployment's pod that run once
// by their restart policy: the pod shares them with services that stay up,
// and its restartPolicy Always starts them again whenever they exit.
func (r *renderer) warnRestartedOnce(c deployment.Compose) {
	for _, name := range c.File.ServiceNames() {
		if once, ok := compose.RunsOnce(c.File.Project.Services[name]); ok {
			r.warnf("%s: service %s: %s runs it once, but it shares pod %s with services that stay up, so Kubernetes starts it again whenever it exits; set pod-per-service: true in spec.yml to run it as a Job", c.File.Path, c.File.ServiceName(name), once.Policy, c.Shown)
		}
	}
}

func withServiceNames(c deployment.Compose, annotations map[string]string) map[string]string {
	renamed := c.File.RenamedServices()
	if len(renamed) == 0 {
		return annotations
	}
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[k8sname.AnnotationServices] = k8sname.FormatServices(renamed)
	return annotations
}

func componentLabel(multi bool, pod string) map[string]string {
	if !multi {
		return nil
	}
	return map[string]string{LabelComponent: pod}
}

// strategy is laconic-so's rule, and more: Recreate when the pod mounts a
// claim (two pods must not share a ReadWriteOnce volume) or writes a host
// path (two copies of a database must not share its data directory during
// a rollout), else a surge-first rollout.
func strategy(writesData bool) appsv1.DeploymentStrategy {
	if writesData {
		return appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	}
	zero, one := intstr.FromInt32(0), intstr.FromInt32(1)
	return appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDeployment{MaxUnavailable: &zero, MaxSurge: &one}}
}

func (r *renderer) podSpec(p podParts, placement bool) corev1.PodSpec {
	ps := corev1.PodSpec{Containers: p.containers, InitContainers: p.initContainers, Volumes: p.volumes, TerminationGracePeriodSeconds: p.grace, HostAliases: p.hostAliases}
	r.trustCACertificates(&ps)
	// Docker confines every container with its default seccomp profile;
	// a pod runs unconfined unless asked (the conformance suite saw it).
	ps.SecurityContext = &corev1.PodSecurityContext{Sysctls: p.sysctls, SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}}
	if p.sharePIDs {
		t := true
		ps.ShareProcessNamespace = &t
	}
	if r.d.Spec.Credentials() != nil {
		ps.ImagePullSecrets = []corev1.LocalObjectReference{{Name: r.n.pullSecret()}}
	}
	if p.hostNetwork {
		// Only the pod whose services ask for it (laconic-so leaked
		// hostNetwork to every Deployment).
		ps.HostNetwork, ps.DNSPolicy = true, corev1.DNSClusterFirstWithHostNet
	}
	// Jobs need the runtime too: a job that locks memory fails without it.
	if rc := r.runtimeClass(); rc != "" {
		ps.RuntimeClassName = &rc
	}
	if !placement {
		return ps
	}
	ps.Affinity = r.affinity()
	for _, t := range r.d.Spec.NodeTolerations {
		ps.Tolerations = append(ps.Tolerations, corev1.Toleration{Key: t.Key, Value: t.Value, Operator: corev1.TolerationOpEqual, Effect: corev1.TaintEffectNoSchedule})
	}
	return ps
}

func (r *renderer) affinity() *corev1.Affinity {
	if len(r.d.Spec.NodeAffinities) == 0 {
		return nil
	}
	var terms []corev1.NodeSelectorTerm
	for _, a := range r.d.Spec.NodeAffinities {
		terms = append(terms, corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: a.Label, Operator: corev1.NodeSelectorOpIn, Values: []string{a.Value}}}})
	}
	return &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: terms}}}
}

func (r *renderer) runtimeClass() string {
	if rc := r.d.Spec.Security.RuntimeClass; rc != "" {
		return rc
	}
	if r.d.Spec.Security.UnlimitedMemlock {
		return kindcluster.MemlockRuntime
	}
	return ""
}

// expand applies the spec's annotations or labels, with {name} replaced by
// each service name in turn (laconic-so's rule).
func (r *renderer) expand(m map[string]string, services []string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, svc := range services {
		for k, v := range m {
			out[strings.ReplaceAll(k, "{name}", svc)] = strings.ReplaceAll(v, "{name}", svc)
		}
	}
	return out
}

// jobRetries is how often a Job's pod is tried again when its containers
// never ran (the runtime failed to start them: runc flakes such as "unable
// to freeze" on cgroup v1 hosts). A container that ran and exited non-zero
// fails the Job at once, as laconic-so's backoffLimit 0 did, so a job's
// own work is never repeated.
const jobRetries = 2

// startError is the exit code the kubelet reports for a container the
// runtime could not start (reason StartError).
const startError = 128

func (r *renderer) renderJob(c deployment.Compose) {
	parts := r.buildPod(c)
	once, byPolicy := c.File.JobPolicy()
	identity := r.podIdentity(c)
	templateLabels := r.jobLabels()
	if byPolicy || identity.subdomain != "" {
		// A service that runs once by its policy is reached by name while
		// it runs, as in docker compose: its pod carries its own selector.
		maps.Copy(templateLabels, r.jobSelector(c.Name))
	}
	podSpec := r.podSpec(parts, false)
	r.applyIdentity(&podSpec, identity, r.jobSelector(c.Name))
	job := &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: r.meta(r.n.job(c.Name), nil),
		Spec: batchv1.JobSpec{
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: templateLabels, Annotations: withServiceNames(c, nil)},
				Spec:       podSpec,
			},
		},
	}
	retry(&job.Spec, once)
	job.Annotations = composeName(c.Shown, c.Name)
	if job.Annotations == nil {
		job.Annotations = map[string]string{}
	}
	maps.Copy(job.Annotations, gitopsRecreate)
	if !c.Wait {
		job.Annotations[labels.NoWaitAnnotation] = "true"
	}
	r.base = append(r.base, object{file: "job-" + c.Name + ".yaml", obj: job})
	if byPolicy {
		r.renderDiscoveryServices(c, r.jobSelector(c.Name))
	}
}

// retry sets how a Job's pod is tried again. restart: on-failure[:N]
// restarts its containers after a failure, N times (Kubernetes' default
// of 6 when N is not written; docker compose retries without limit). Any
// other Job runs its work once: a container that ran and exited non-zero
// fails it at once (laconic-so's backoffLimit 0), and only a pod whose
// containers never started (StartError) is tried again.
func retry(spec *batchv1.JobSpec, once compose.RunOnce) {
	if once.OnFailure {
		spec.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
		spec.BackoffLimit = once.Retries
		return
	}
	retries := int32(jobRetries)
	spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever
	spec.BackoffLimit = &retries
	spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{
		Action:      batchv1.PodFailurePolicyActionFailJob,
		OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpNotIn, Values: []int32{0, startError}},
	}}}
}

// jobSelector selects the pod of one Job that runs a service once.
func (r *renderer) jobSelector(job string) map[string]string {
	return map[string]string{LabelApp: labels.JobApp(r.n.id), LabelComponent: job}
}

// gitopsRecreate are the annotations with which Flux's kustomize-controller
// and Argo CD delete and recreate an object whose immutable fields changed
// (a Job's template), as deploy does: without them a changed Job fails to
// apply in both. Argo CD needs Force as well as Replace: Replace alone is
// a "kubectl replace", which an immutable field refuses just the same
// (argoproj/argo-cd#9163).
var gitopsRecreate = map[string]string{
	"kustomize.toolkit.fluxcd.io/force": "enabled",
	"argocd.argoproj.io/sync-options":   "Force=true,Replace=true",
}

// unsupported are compose keys with no Kubernetes equivalent here; each use
// is reported rather than silently dropped. (labels and annotations have no
// effect on a running container and are not reported.)
var unsupported = map[string]func(compose.Service) bool{
	"cgroup": func(s compose.Service) bool { return s.Cgroup != "" || s.CgroupParent != "" },
	"cpu_shares/quota": func(s compose.Service) bool {
		return s.CPUShares != 0 || s.CPUQuota != 0 || s.CPUPeriod != 0 || s.CPUSet != ""
	},
	"devices": func(s compose.Service) bool { return len(s.Devices) > 0 || len(s.Gpus) > 0 },
	"dns": func(s compose.Service) bool {
		return len(s.DNS) > 0 || len(s.DNSSearch) > 0 || len(s.DNSOpts) > 0
	},
	"group_add":          func(s compose.Service) bool { return len(s.GroupAdd) > 0 },
	"ipc/pid/uts":        func(s compose.Service) bool { return s.Ipc != "" || s.Pid != "" || s.Uts != "" },
	"links":              func(s compose.Service) bool { return len(s.Links) > 0 || len(s.ExternalLinks) > 0 },
	"logging":            func(s compose.Service) bool { return s.Logging != nil || s.LogDriver != "" },
	"networks":           func(s compose.Service) bool { return len(s.Networks) > 1 },
	"oom_score_adj":      func(s compose.Service) bool { return s.OomScoreAdj != 0 || s.OomKillDisable },
	"pids_limit":         func(s compose.Service) bool { return s.PidsLimit != 0 },
	"platform":           func(s compose.Service) bool { return s.Platform != "" },
	"runtime":            func(s compose.Service) bool { return s.Runtime != "" },
	"stop_signal":        func(s compose.Service) bool { return s.StopSignal != "" },
	"ulimits":            func(s compose.Service) bool { return len(s.Ulimits) > 0 },
	"userns_mode":        func(s compose.Service) bool { return s.UserNSMode != "" },
	"volumes_from":       func(s compose.Service) bool { return len(s.VolumesFrom) > 0 },
	"memswap/swappiness": func(s compose.Service) bool { return s.MemSwapLimit != 0 || s.MemSwappiness != 0 },
}

func (r *renderer) warnUnsupported(c deployment.Compose, svc compose.Service) {
	for _, key := range slices.Sorted(maps.Keys(unsupported)) {
		if unsupported[key](svc) {
			r.warnf("%s: service %s: compose key %q has no Kubernetes equivalent here and is ignored", c.File.Path, c.File.ServiceName(svc.Name), key)
		}
	}
}

// jobLabels are a Job pod's labels: app=<id>-job (laconic-so's, which keeps
// job pods out of the Deployments' selectors) and the others.
func (r *renderer) jobLabels() map[string]string {
	l := r.labels()
	l[LabelApp] = labels.JobApp(r.n.id)
	return l
}
