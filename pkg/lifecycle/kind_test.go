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

func TestKindOperationsRefuseOtherTargets(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	target := newTarget(t, spec.DeployToK8s)
	ctx := context.Background()
	_, createErr := w.l.CreateKind(ctx, CreateKindRequest{Target: target})
	_, deleteErr := w.l.DeleteKind(ctx, DeleteKindRequest{Target: target})
	_, loadErr := w.l.LoadKind(ctx, target)
	_, mountsErr := w.l.CheckMounts(ctx, target)
	_, planErr := w.l.MigratePlan(ctx, target)
	for i, err := range []error{createErr, deleteErr, loadErr, mountsErr, planErr} {
		var notKind *NotKindError
		if !errors.As(err, &notKind) {
			t.Errorf("operation %d on a k8s deployment = %v, want NotKindError", i, err)
		}
	}
	if w.has("kind.open") || len(w.wrote()) > 0 {
		t.Errorf("calls = %q, want none", w.list)
	}
}

func TestCreateKind(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		running    []string
		umbrella   bool
		wantErr    string
		wantWrites []string
	}{
		{name: "absent: created", wantWrites: []string{"kind.Create " + clusterName}},
		{name: "running with the mounts: checked only", running: []string{clusterName}, umbrella: true},
		{name: "running without the mounts: refused", running: []string{clusterName}, wantErr: "/mnt"},
		{name: "another running: refused, the field named", running: []string{"other"}, wantErr: "cluster-id: other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			target := newTarget(t, spec.DeployToKind)
			w.kind.running, w.kind.live = tc.running, map[string]string{}
			if tc.umbrella {
				w.kind.live["/mnt"] = mountRoot(target)
			}
			name, err := w.l.CreateKind(context.Background(), CreateKindRequest{Target: target})
			if tc.wantErr == "" && (err != nil || name != clusterName) {
				t.Fatalf("CreateKind = %q, %v", name, err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("CreateKind = %v, want an error containing %q", err, tc.wantErr)
			}
			if got := w.wrote(); !slices.Equal(got, tc.wantWrites) {
				t.Errorf("writes = %q, want %q", got, tc.wantWrites)
			}
		})
	}
}

// TestCheckMountsThatCannotBeRead: no rows, and an error saying the check
// did not run, never something that reads as a pass.
func TestCheckMountsThatCannotBeRead(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.kind.running = []string{clusterName}
	checks, err := w.l.CheckMounts(context.Background(), newTarget(t, spec.DeployToKind))
	if checks != nil || err == nil || !strings.Contains(err.Error(), "NOT checked") {
		t.Fatalf("CheckMounts = %v, %v; want no rows and a NOT checked error", checks, err)
	}
}

func TestDeleteKind(t *testing.T) {
	t.Parallel()
	nodeLocal := apply.Volume{Name: "pv-db", Claim: "db", NodePath: "/var/local-path/db"}
	for _, tc := range []struct {
		name        string
		running     bool
		force       bool
		others      []string
		volumes     []apply.Volume
		wantExisted bool
		wantRefusal bool
	}{
		{name: "absent: nothing to do"},
		{name: "alone: deleted", running: true, wantExisted: true},
		{name: "shared: refused", running: true, others: []string{"b"}, wantExisted: true, wantRefusal: true},
		{name: "node-local data: refused", running: true, volumes: []apply.Volume{nodeLocal}, wantExisted: true, wantRefusal: true},
		{name: "shared and node-local, forced: deleted", running: true, force: true, others: []string{"b"}, volumes: []apply.Volume{nodeLocal}, wantExisted: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			target := newTarget(t, spec.DeployToKind)
			if tc.running {
				w.kind.running = []string{clusterName}
			}
			w.kind.live = map[string]string{"/mnt": mountRoot(target)}
			w.cluster.others, w.cluster.volumes = tc.others, tc.volumes
			existed, err := w.l.DeleteKind(context.Background(), DeleteKindRequest{Target: target, Force: tc.force})
			var refused *DeleteRefusedError
			if got := errors.As(err, &refused); got != tc.wantRefusal || (err != nil && !got) {
				t.Fatalf("DeleteKind = %v, want refusal %v", err, tc.wantRefusal)
			}
			deleted := w.has("kind.Delete")
			if existed != tc.wantExisted || deleted != (tc.wantExisted && !tc.wantRefusal) {
				t.Errorf("existed %v, deleted %v; want %v, %v", existed, deleted, tc.wantExisted, tc.wantExisted && !tc.wantRefusal)
			}
		})
	}
}

func TestMigratePlan(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	target := newTarget(t, spec.DeployToKind)
	w.kind.running = []string{clusterName}
	w.kind.live = map[string]string{"/mnt/db": "/srv/old/db"}
	w.cluster.volumes = []apply.Volume{{Name: "pv-cache", Claim: "cache", NodePath: "/var/local-path/cache"}, {Name: "pv-db", NodePath: "/mnt/db"}}
	w.cluster.owned = []apply.OwnedNamespace{{Dir: "/srv/b", Namespace: "b"}}
	plan, err := w.l.MigratePlan(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Umbrella != "" || plan.MountRoot != defaultMountRoot || len(plan.NodeLocal) != 1 || plan.NodeLocal[0].Name != "pv-cache" {
		t.Errorf("plan = %+v, want no umbrella, root %s and pv-cache node-local", plan, defaultMountRoot)
	}
	if plan.HostMounts["/mnt/db"] != "/srv/old/db" {
		t.Errorf("host mounts to move = %v, want /mnt/db from /srv/old/db", plan.HostMounts)
	}
	all := strings.Join(plan.Steps, "\n")
	for _, want := range []string{"docker exec " + clusterName + "-control-plane tar -C /var/local-path/cache", "kubectl stack stop -d /srv/b --skip-cluster-management", "cp -a /srv/old/db/."} {
		if !strings.Contains(all, want) {
			t.Errorf("steps lack %q:\n%s", want, all)
		}
	}
	if len(w.wrote()) > 0 {
		t.Errorf("the plan wrote %q", w.wrote())
	}
}
