package cmd

import (
	"time"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/kindcluster"
	"github.com/kubectl-stack/kubectl-stack/pkg/lifecycle"
)

// OutputShape is what one verb prints with -o json|yaml: a sample with
// every field filled in, from which docs/output.md is generated (a golden
// test keeps the document current, and the integration tests check that
// the verbs print nothing the document lacks).
type OutputShape struct {
	Verb   string
	About  string
	Sample any
}

// OutputShapes are the -o json|yaml shapes of the verbs with their own
// types. events prints a v1 EventList and deploy --dry-run=client a v1
// List, as kubectl does.
func OutputShapes() []OutputShape {
	deployed := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	pods := []apply.PodStatus{{
		Name: "laconic-3f2a1b0c-web-deployment-7d9c5-x2x4p", Phase: "Pending", Ready: "0/1", Restarts: 0,
		Node: "kind-worker", IP: "10.244.0.7", Ports: []string{"80/TCP"},
		Owner: "deployment/laconic-3f2a1b0c-web-deployment", Services: []string{"web"},
		Reason: "unschedulable: Unschedulable 0/1 nodes are available: 1 Insufficient cpu.",
	}}
	changes := changeReport{
		Objects: []objectChange{
			{Object: "Deployment/hello/laconic-3f2a1b0c-web-deployment", Action: "configured"},
			{Object: "ConfigMap/hello/laconic-3f2a1b0c-old-settings", Action: "pruned"},
		},
		Tally: &tallyCounts{Configured: 1, Pruned: 1, PodsRolled: 1},
	}
	files := 3
	restarted := changes
	restarted.Commits, restarted.FilesChanged = "1a2b3c4..5d6e7f8", &files
	return []OutputShape{
		{"version", "The plugin's version (a release's tag, `v0.0.0-snapshot-<commit>` for a snapshot, `dev` for a plain build), the commit it was built from and that commit's time, and the Go toolchain.",
			versionInfo{Version: "v0.4.0", Commit: "73d368a2c1f0e9d8b7a6f5e4d3c2b1a098765432", Date: "2026-12-01T10:00:00Z", GoVersion: "go1.26.0", Platform: "linux/amd64"}},
		{"create", "The directory created, its cluster-id and deployment-id, and every warning about the input: create's own and those render and deploy would give (compose keys left out, services a pod restarts), each once. `create --update` prints what it changed as text.",
			createReport{Dir: "/srv/deployments/hello", ClusterID: "laconic-3f2a1b0c", DeploymentID: "laconic-3f2a1b0c",
				Warnings: []string{"/srv/deployments/hello/compose/docker-compose-hello.yml: service web: compose key \"sysctls\" has no Kubernetes equivalent here and is ignored"}}},
		{"list", "An array: every deployment found on the cluster. `lastDeploy` is when its inventory was last written.",
			[]apply.DeploymentSummary{{Stack: "hello", Namespace: "hello", DeploymentID: "laconic-3f2a1b0c", DeploymentDir: "/srv/deployments/hello",
				Objects: 14, PodsReady: 2, Pods: 3, LastDeploy: &deployed}}},
		{"ps", "An array: the deployment's pods. `reason` says why a Pending pod does not run.", pods},
		{"status", "Every inventory object with its kstatus (`Current`, `InProgress`, `Failed`, `Terminating`, `NotFound`), the pods as in `ps`, and where the deployment is reached.",
			lifecycle.StatusResult{
				Status: &apply.Status{Namespace: "hello", Pods: pods, Objects: []apply.ObjectStatus{{
					Kind: "PersistentVolumeClaim", Namespace: "hello", Name: "laconic-3f2a1b0c-data", Status: "InProgress",
					Message: "PVC is not Bound. phase: Pending", Detail: apply.OrphanedVolume,
				}}},
				Published: &apply.Published{
					Routes:      []apply.Route{{Host: "hello.example.org", Path: "/", Backend: "laconic-3f2a1b0c-service:80", TLS: true}},
					NodePorts:   []apply.NodePort{{Service: "web", Port: 80, Protocol: "TCP", NodePort: 30080}},
					NodeAddress: "172.18.0.2",
				},
			}},
		{"deploy", "What the deploy did to each object (`created`, `configured`, `unchanged`, `replaced`, `pruned`) and the counts of its tally table. With `--dry-run=server`, what it would do, without `tally`; with `--dry-run=client`, the objects as a v1 List.",
			changes},
		{"restart", "As deploy's, with the commits pulled (`before..after`; left out when the stack is not a git checkout) and how many files the re-sync changed in the deployment directory.",
			restarted},
		{"stop", "As deploy's: each object deleted (`deleted`) and the counts.",
			changeReport{Objects: []objectChange{{Object: "Deployment/hello/laconic-3f2a1b0c-web-deployment", Action: "deleted"}}, Tally: &tallyCounts{Deleted: 1}}},
		{"port", "Where a published port is reached.", portAddress{Service: "web", Port: 80, Address: "172.18.0.2:30080"}},
		{"kind load", "The images loaded into the kind nodes, those already there, and those the nodes pull from a registry.",
			kindcluster.LoadResult{Loaded: []string{"example/web:local"}, Present: []string{"example/db:local"}, NotLocal: []string{"postgres:16"}}},
		{"kind check-mounts", "An array: each mount the deployment needs, the host path it expects and the live one. `state` is `OK`, `MISSING` or `MISMATCH`.",
			[]kindcluster.MountCheck{{ContainerPath: "/mnt", Expected: "/srv/kind", Live: "/srv/kind", State: "OK"}}},
		{"kind migrate-plan", "The move of a kind cluster to an umbrella mount; `umbrella` is set when the cluster has one already.",
			lifecycle.MigratePlan{
				Cluster: "laconic-0f8a1b2c3", Umbrella: "/srv/kind", MountRoot: "/srv/kind",
				NodeLocal:   []apply.Volume{{Name: "pvc-1f2e", Claim: "hello/laconic-3f2a1b0c-data", NodePath: "/var/local-path-provisioner/pvc-1f2e", Phase: "Bound"}},
				HostMounts:  map[string]string{"/mnt/hello-data": "/home/me/hello/data"},
				Deployments: []apply.OwnedNamespace{{Namespace: "hello", Dir: "/srv/deployments/hello"}},
				Steps:       []string{"kubectl stack stop -d /srv/deployments/hello"},
			}},
	}
}
