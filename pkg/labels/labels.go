// Package labels is the one home of the labels and annotations that mark
// what a deployment owns; render writes them, and apply, podio and the
// verbs find objects and pods by them.
package labels

// App is laconic-so's app label: the deployment-id on the Deployments'
// pods, <deployment-id>-job on the Jobs' pods (which keeps job pods out of
// the Deployments' selectors).
const App = "app"

// OwnerAnnotation records, on a namespace, the deployment directory that
// owns it (laconic-so's key).
const OwnerAnnotation = "laconic.com/deployment-dir"

// DeploymentID is on every object of a deployment, the Namespace too: its
// deployment-id.
const DeploymentID = "kubectl-stack.io/deployment-id"

// Stack is on every object of a deployment: its stack's name.
const Stack = "app.kubernetes.io/stack"

// ManagedBy, with ManagedByValue, is on every object a deployment renders.
const (
	ManagedBy      = "app.kubernetes.io/managed-by"
	ManagedByValue = "kubectl-stack"
)

// PodApps are the app label values of a deployment's pods: its
// Deployments' and its Jobs'.
func PodApps(id string) []string { return []string{id, JobApp(id)} }

// JobApp is the app label value of a deployment's Job pods.
func JobApp(id string) string { return id + "-job" }

// Selector is the label selector for pods with one app value.
func Selector(app string) string { return App + "=" + app }

// PublishesAnnotation is on each NodePort Service: the compose service
// whose port it publishes, as the compose file writes it, so that
// "kubectl stack port" and status can say where that port is reached.
const PublishesAnnotation = "kubectl-stack.io/publishes"

// CreatedNamespaceAnnotation marks a namespace that a deployment's deploy
// created (not one it adopted, which existed before): only such a one may
// stop --delete-namespace delete.
const CreatedNamespaceAnnotation = "kubectl-stack.io/namespace-created-by"

// NoWaitAnnotation, "true" on a Job, says deploy does not wait for it to
// complete: a service that runs once by its restart policy, which nothing
// waits for (docker compose up does not wait for it either).
const NoWaitAnnotation = "kubectl-stack.io/no-wait"

// WaveAnnotation, on a Deployment or Job, is the wave of depends_on it
// starts in: deploy applies wave N only once the dependencies its
// DependsOnAnnotation names meet their conditions. Workloads without it,
// and every other object, are wave 0.
const WaveAnnotation = "kubectl-stack.io/wave"

// DependsOnAnnotation lists what a workload waits for, as
// "Kind/name=condition" entries separated by commas, with condition
// started, ready or completed (depends_on's service_started,
// service_healthy and service_completed_successfully).
const DependsOnAnnotation = "kubectl-stack.io/depends-on"

// ArgoSyncWave orders a pipeline's sync as WaveAnnotation orders deploy.
const ArgoSyncWave = "argocd.argoproj.io/sync-wave"

// SecretsChangedAnnotation on a Deployment's pod template is when a
// deploy last changed a Secret its pods use, which rolled them (the
// Secret's value is made at deploy, so no hash of it can be rendered).
const SecretsChangedAnnotation = "kubectl-stack.io/secrets-changed-at"

// RestartedAtAnnotation is kubectl rollout restart's, which restart
// --force writes on every Deployment's pod template.
const RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt"
