package lifecycle

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// TestStopGuards covers what stop may delete: the shared-cluster and
// node-local data guards refuse before anything is deleted.
func TestStopGuards(t *testing.T) {
	t.Parallel()
	nodeLocal := apply.Volume{Name: "pv-db", Claim: "db", NodePath: "/var/local-path/db"}
	onHost := apply.Volume{Name: "pv-web", Claim: "web", NodePath: "/mnt/web"}
	cases := []struct {
		name     string
		deployTo string
		running  bool
		context  string
		others   []string
		volumes  []apply.Volume
		req      StopRequest
		// wantRefused lists what the refusal must name; wantWrites the
		// writes in order.
		wantRefused []string
		wantWrites  []string
		wantLog     string
	}{
		{
			name: "alone with host data: objects, then cluster", deployTo: spec.DeployToKind, running: true, volumes: []apply.Volume{onHost},
			wantWrites: []string{"cluster.Stop", "kind.Delete " + clusterName},
		},
		{
			name: "other deployments: refused", deployTo: spec.DeployToKind, running: true, others: []string{"/srv/b (namespace b)"},
			wantRefused: []string{"/srv/b (namespace b)", "would break"},
		},
		{
			name: "other deployments, forced", deployTo: spec.DeployToKind, running: true, others: []string{"/srv/b (namespace b)"}, req: StopRequest{Force: true},
			wantWrites: []string{"cluster.Stop", "kind.Delete " + clusterName},
		},
		{
			name: "node-local data: refused", deployTo: spec.DeployToKind, running: true, volumes: []apply.Volume{nodeLocal, onHost},
			wantRefused: []string{"pv-db (claim db, node path /var/local-path/db)"},
		},
		{
			name: "node-local data with delete-volumes: deleted with a warning", deployTo: spec.DeployToKind, running: true, volumes: []apply.Volume{nodeLocal},
			req:        StopRequest{DeleteVolumes: true},
			wantWrites: []string{"cluster.Stop", "kind.Delete " + clusterName}, wantLog: "deleting the data of volume pv-db",
		},
		{
			name: "skip cluster management: objects only, no guard", deployTo: spec.DeployToKind, running: true, others: []string{"b"}, volumes: []apply.Volume{nodeLocal},
			req:        StopRequest{SkipClusterManagement: true},
			wantWrites: []string{"cluster.Stop"}, wantLog: "volumes and their data are kept",
		},
		{
			name: "another context: objects there, cluster kept", deployTo: spec.DeployToKind, running: true, context: "prod", others: []string{"b"},
			wantWrites: []string{"cluster.Stop"}, wantLog: "not deleting kind cluster",
		},
		{
			name: "cluster not running: objects only", deployTo: spec.DeployToKind,
			wantWrites: []string{"cluster.Stop"}, wantLog: "is not running",
		},
		{
			name: "deploy-to k8s: objects only", deployTo: spec.DeployToK8s, others: []string{"b"},
			wantWrites: []string{"cluster.Stop"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			target := newTarget(t, tc.deployTo)
			if tc.context != "" {
				target.Context = tc.context
			}
			if tc.running {
				w.kind.running = []string{clusterName}
			}
			w.kind.live = map[string]string{"/mnt": mountRoot(target)}
			w.cluster.others, w.cluster.volumes = tc.others, tc.volumes
			req := tc.req
			req.Target = target
			_, err := w.l.Stop(context.Background(), req)
			var refused *DeleteRefusedError
			switch {
			case tc.wantRefused == nil && err != nil:
				t.Fatalf("Stop = %v, want success", err)
			case tc.wantRefused != nil && !errors.As(err, &refused):
				t.Fatalf("Stop = %v, want a DeleteRefusedError", err)
			}
			for _, want := range tc.wantRefused {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("refusal %q does not name %q", err, want)
				}
			}
			if got := w.wrote(); !slices.Equal(got, tc.wantWrites) {
				t.Errorf("writes = %q\nwant %q", got, tc.wantWrites)
			}
			if !strings.Contains(w.log.String(), tc.wantLog) {
				t.Errorf("log = %q, want it to say %q", w.log.String(), tc.wantLog)
			}
			if tc.deployTo == spec.DeployToK8s || req.SkipClusterManagement {
				if w.has("kind.open") {
					t.Errorf("kind was opened: %q", w.list)
				}
			}
		})
	}
}

// TestInterruptedStopKeepsTheCluster: a stop cut short while deleting says
// so, typed, and does not go on to delete the kind cluster.
func TestInterruptedStopKeepsTheCluster(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	target := newTarget(t, spec.DeployToKind)
	w.kind.running = []string{clusterName}
	w.kind.live = map[string]string{"/mnt": mountRoot(target)}
	w.cluster.stopHangs = true
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := w.l.Stop(ctx, StopRequest{Target: target})
	var interrupted *StopInterruptedError
	if !errors.As(err, &interrupted) || interrupted.Dir != target.Dir() {
		t.Fatalf("Stop = %v, want StopInterruptedError", err)
	}
	if w.has("kind.Delete") {
		t.Error("the interrupted stop deleted the kind cluster")
	}
}
