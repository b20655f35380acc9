package lifecycle

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// TestDeployOnKind covers which steps run on kind: what is created,
// checked, built, loaded and applied, and that every refusal comes before
// the first write.
func TestDeployOnKind(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// running are the kind clusters on the host; umbrella says
		// whether the running cluster's node has the /mnt mount.
		running  []string
		umbrella bool
		local    bool
		context  string
		req      DeployRequest
		// wantErr is a part of the error; wantWrites the writes in order.
		wantErr    string
		wantWrites []string
		wantLog    string
	}{
		{
			name: "no cluster: created, image built and loaded, applied, pruned", req: DeployRequest{Wait: true},
			wantWrites: []string{"kind.Create " + clusterName, "engine.Build " + builtImage, "kind.LoadImages " + builtImage, "cluster.Apply kind-" + clusterName, "cluster.Prune"},
		},
		{
			name: "running cluster with the mounts: reused, local image not rebuilt", running: []string{clusterName}, umbrella: true, local: true,
			wantWrites: []string{"kind.LoadImages " + builtImage, "cluster.Apply kind-" + clusterName, "cluster.Prune"},
			wantLog:    "using the running kind cluster",
		},
		{
			name: "running cluster without a needed mount: refused before any write", running: []string{clusterName},
			wantErr: "refusing to deploy",
		},
		{
			name: "another cluster running: refused, nothing created", running: []string{"other"},
			wantErr: "kind cluster other is running",
		},
		{
			name: "skip cluster management without a cluster: refused", req: DeployRequest{SkipClusterManagement: true},
			wantErr: "kind cluster " + clusterName + " is not running",
		},
		{
			name: "skip cluster management with the cluster: checked, loaded, applied", running: []string{clusterName}, umbrella: true,
			req:        DeployRequest{SkipClusterManagement: true},
			wantWrites: []string{"engine.Build " + builtImage, "kind.LoadImages " + builtImage, "cluster.Apply kind-" + clusterName, "cluster.Prune"},
		},
		{
			name: "another context without the kind cluster: applied there, kind untouched", context: "prod",
			wantWrites: []string{"cluster.Apply prod", "cluster.Prune"},
			wantLog:    "without a kind mount check",
		},
		{
			name: "another context with the kind cluster: mounts checked, nothing loaded", context: "prod", running: []string{clusterName},
			wantErr: "refusing to deploy",
		},
		{
			name: "server dry run: no cluster created, nothing built, loaded or applied", running: []string{clusterName}, umbrella: true,
			req: DeployRequest{ServerDryRun: true},
		},
		{
			name: "server dry run without the cluster: refused", req: DeployRequest{ServerDryRun: true},
			wantErr: "is not running",
		},
		{
			name: "secrets only: nothing created, built, loaded or pruned", running: []string{clusterName}, umbrella: true,
			req:        DeployRequest{SecretsOnly: true, Wait: true},
			wantWrites: []string{"cluster.Apply kind-" + clusterName},
		},
		{
			name: "secrets only without the cluster: refused, not created", req: DeployRequest{SecretsOnly: true},
			wantErr: "kind cluster " + clusterName + " is not running",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			target := newTarget(t, spec.DeployToKind)
			if tc.context != "" {
				target.Context = tc.context
			}
			w.kind.running = tc.running
			w.kind.live = map[string]string{}
			if tc.umbrella {
				w.kind.live["/mnt"] = mountRoot(target)
			}
			w.engine.local[builtImage] = tc.local
			req := tc.req
			req.Target = target
			_, err := w.l.Deploy(context.Background(), req)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Deploy = %v, want success", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Deploy = %v, want an error containing %q", err, tc.wantErr)
			}
			got := w.wrote()
			if !slices.Equal(got, tc.wantWrites) {
				t.Errorf("writes = %q\nwant %q", got, tc.wantWrites)
			}
			if !strings.Contains(w.log.String(), tc.wantLog) {
				t.Errorf("log = %q, want it to say %q", w.log.String(), tc.wantLog)
			}
		})
	}
}

func TestDeployWaitsOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	for _, wait := range []bool{true, false} {
		w := newWorld(t)
		_, err := w.l.Deploy(context.Background(), DeployRequest{Target: newTarget(t, spec.DeployToKind), Wait: wait, Timeout: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if w.has("cluster.Wait") != wait {
			t.Errorf("Wait=%v: waited = %v", wait, !wait)
		}
	}
}

func TestDeployKeepsTheInterruptionTyped(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.cluster.waitErr = &apply.InterruptedError{Applied: true, Err: context.Canceled}
	target := newTarget(t, spec.DeployToKind)
	_, err := w.l.Deploy(context.Background(), DeployRequest{Target: target, Wait: true})
	var interrupted *apply.InterruptedError
	if !errors.As(err, &interrupted) || !interrupted.Applied || !strings.Contains(err.Error(), "deploying "+target.Dir()) {
		t.Fatalf("Deploy = %v, want the wait's InterruptedError wrapped with the directory", err)
	}
}

func TestDeployRuntimeClassForUnlimitedMemlock(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		memlock  bool
		class    string
		deployTo string
		want     bool
	}{
		{"kind with unlimited memlock", true, "", spec.DeployToKind, true},
		{"kind with its own runtime class", true, "gvisor", spec.DeployToKind, false},
		{"kind without memlock", false, "", spec.DeployToKind, false},
		{"k8s with unlimited memlock", true, "", spec.DeployToK8s, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			target := newTarget(t, tc.deployTo)
			target.Deployment.Spec.Security.UnlimitedMemlock = spec.Bool(tc.memlock)
			target.Deployment.Spec.Security.RuntimeClass = tc.class
			w.engine.inRegistry[builtImage] = true
			if _, err := w.l.Deploy(context.Background(), DeployRequest{Target: target}); err != nil {
				t.Fatal(err)
			}
			if got := w.has("cluster.EnsureRuntimeClass"); got != tc.want {
				t.Errorf("runtime class ensured = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestDeployOffKind: deploy-to: k8s never opens kind, and refuses built
// images its registry lacks before writing anything.
func TestDeployOffKind(t *testing.T) {
	t.Parallel()
	for _, pushed := range []bool{false, true} {
		w := newWorld(t)
		w.l.Kind = func() (KindProvider, error) {
			t.Error("kind opened for deploy-to: k8s")
			return nil, errors.New("no kind")
		}
		w.engine.inRegistry[builtImage] = pushed
		target := newTarget(t, spec.DeployToK8s)
		_, err := w.l.Deploy(context.Background(), DeployRequest{Target: target})
		var notPushed *NotPushedError
		switch {
		case !pushed && (!errors.As(err, &notPushed) || notPushed.Image != builtImage):
			t.Errorf("deploy of an image not in its registry = %v, want NotPushedError", err)
		case !pushed && len(w.wrote()) > 0:
			t.Errorf("the refused deploy wrote %q", w.wrote())
		case pushed && err != nil:
			t.Errorf("deploy of a pushed image = %v", err)
		case pushed && !w.has("cluster.Apply"):
			t.Errorf("the pushed image's deploy did not apply: %q", w.list)
		}
	}
}

// TestSecretsOnlyAppliesTheNamespaceAndSecrets: a SecretsOnly deploy hands
// apply the namespace and the Secrets and nothing else, and does not prune
// (which would narrow the inventory).
func TestSecretsOnlyAppliesTheNamespaceAndSecrets(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.engine.inRegistry[builtImage] = true
	target := newTarget(t, spec.DeployToK8s)
	for _, kind := range []string{"Namespace", "Secret", "ConfigMap"} {
		target.Objects = append(target.Objects, &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "v1", "kind": kind, "metadata": map[string]any{"name": "demo"},
		}})
	}
	if _, err := w.l.Deploy(context.Background(), DeployRequest{Target: target, SecretsOnly: true, Wait: true}); err != nil {
		t.Fatal(err)
	}
	// No prune: it would narrow the inventory to the Secrets.
	if got := w.wrote(); !slices.Equal(got, []string{"cluster.Apply "}) {
		t.Errorf("writes = %q, want one apply and no prune", got)
	}
	var kinds []string
	for _, o := range w.cluster.applied {
		kinds = append(kinds, o.GetKind())
	}
	if !slices.Equal(kinds, []string{"Namespace", "Secret"}) {
		t.Errorf("applied %v, want only the namespace and the Secret", kinds)
	}
}

func TestDiffAndStatusUseTheTargetContext(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	target := newTarget(t, spec.DeployToKind)
	changes, err := w.l.Diff(context.Background(), target)
	if err != nil || len(changes) != 1 {
		t.Fatalf("Diff = %v, %v", changes, err)
	}
	if _, err := w.l.Status(context.Background(), target); err != nil {
		t.Fatal(err)
	}
	if !w.has("connect kind-"+clusterName) || len(w.wrote()) > 0 {
		t.Errorf("calls = %q, want reads through kind-%s only", w.list, clusterName)
	}
}

// TestDeployInterruptedDuringKindCreate: kind's create cannot be cut
// short, so it finishes (with a warning saying so) and the deploy stops
// right after it, before building, loading or applying anything.
func TestDeployInterruptedDuringKindCreate(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.kind.creating = make(chan struct{})
	target := newTarget(t, spec.DeployToKind)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errs := make(chan error, 1)
	go func() {
		_, err := w.l.Deploy(ctx, DeployRequest{Target: target, Wait: true})
		errs <- err
	}()
	<-w.kind.creating // kind is creating the cluster
	cancel()
	for !strings.Contains(w.logString(), "letting it finish") {
		time.Sleep(time.Millisecond)
	}
	close(w.kind.creating)
	err := <-errs
	var interrupted *InterruptedError
	if !errors.As(err, &interrupted) || interrupted.Next != "mounts" || !slices.Equal(interrupted.Done, []string{"cluster"}) {
		t.Fatalf("Deploy = %v, want InterruptedError after the cluster step", err)
	}
	if got := w.wrote(); !slices.Equal(got, []string{"kind.Create " + clusterName}) {
		t.Errorf("writes = %q, want only the cluster creation", got)
	}
}

func TestPortNamesTheAddressOrWhatIsPublished(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	target := newTarget(t, spec.DeployToKind)
	for _, name := range []string{"web.frontend", "web-frontend"} {
		if got, err := w.l.Port(context.Background(), target, name, 80); err != nil || got != "172.18.0.2:30080" {
			t.Errorf("Port(%s, 80) = %q, %v; want 172.18.0.2:30080", name, got, err)
		}
	}
	if _, err := w.l.Port(context.Background(), target, "web.frontend", 443); err == nil || !strings.Contains(err.Error(), "it publishes: web.frontend 80/TCP") {
		t.Errorf("Port of an unpublished port = %v, want the list of published ports", err)
	}
}

// TestExternalServiceSelectingPods: deploy adds the EndpointSlice of a
// selector external service with the pods' IPs, and refuses before any
// write when the namespace it selects in does not exist.
func TestExternalServiceSelectingPods(t *testing.T) {
	t.Parallel()
	for _, ns := range []string{"mocks", "missing"} {
		w := newWorld(t)
		target := newTarget(t, spec.DeployToK8s)
		w.engine.inRegistry[builtImage] = true
		target.Deployment.Spec.ExternalServices = map[string]spec.ExternalService{"mock-s3": {Selector: map[string]string{"app": "s3-mock"}, Namespace: ns}}
		_, err := w.l.Deploy(context.Background(), DeployRequest{Target: target})
		if ns == "missing" {
			if err == nil || !strings.Contains(err.Error(), "namespace missing does not exist") || len(w.wrote()) > 0 {
				t.Errorf("deploy selecting in a missing namespace = %v (writes %q), want a refusal before any write", err, w.wrote())
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var slice *unstructured.Unstructured
		for _, o := range w.cluster.applied {
			if o.GetKind() == "EndpointSlice" {
				slice = o
			}
		}
		eps, _, _ := unstructured.NestedSlice(slice.Object, "endpoints")
		if slice == nil || slice.GetName() != "mock-s3-external" || slice.GetLabels()["kubernetes.io/service-name"] != "mock-s3" || len(eps) != 1 {
			t.Errorf("EndpointSlice = %v, want mock-s3-external for Service mock-s3 with the pod's IP", slice)
		}
	}
}
