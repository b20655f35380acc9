package e2e

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

// TestKindMemlockRuntime: security.unlimited-memlock gives the cluster a
// containerd runtime whose base spec raises RLIMIT_MEMLOCK, deploy creates
// its RuntimeClass, and the pods use it. Where the host lets containers
// raise limits (CAP_SYS_RESOURCE), the container's limit is unlimited; on
// hosts without it (these machines: see ../shared/tools/README.md) runc
// refuses to raise the limit, which shows the runtime's spec is applied.
func TestKindMemlockRuntime(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	spec := e.spec("m", "hello-m", false)
	testutil.WriteFile(t, e.repo, "ops/m.yml", readFile(t, spec)+"security:\n  unlimited-memlock: true\n")
	dir := e.create(spec)
	e.deploy(dir, "--wait=false")

	rc, err := e.client().NodeV1().RuntimeClasses().Get(ctx, "high-memlock", metav1.GetOptions{})
	if err != nil || rc.Handler != "high-memlock" {
		t.Fatalf("RuntimeClass high-memlock = %+v, %v", rc, err)
	}
	dump, err := exec.Command("docker", "exec", e.cluster+"-control-plane", "containerd", "config", "dump").CombinedOutput()
	if err != nil || !strings.Contains(string(dump), "high-memlock") || !strings.Contains(string(dump), dir+"/high-memlock-spec.json") {
		t.Fatalf("the node's containerd has no high-memlock runtime with the deployment's base spec (%v):\n%s", err, dump)
	}
	pods, err := e.client().CoreV1().Pods("hello-m").List(ctx, metav1.ListOptions{})
	if err != nil || len(pods.Items) == 0 {
		t.Fatalf("pods: %v, %v", pods, err)
	}
	for _, p := range pods.Items {
		if p.Spec.RuntimeClassName == nil || *p.Spec.RuntimeClassName != "high-memlock" {
			t.Errorf("pod %s runs without runtimeClassName high-memlock", p.Name)
		}
	}
	if hostCanRaiseLimits(t) {
		e.eventually("web to run", 2*time.Minute, func() bool {
			_, _, err := e.run("exec", "-d", dir, "web", "--", "/hello", "exit", "0")
			return err == nil
		})
		if limits := e.must("exec", "-d", dir, "web", "--", "/hello", "cat", "/proc/self/limits"); !strings.Contains(limits, "Max locked memory         unlimited") {
			t.Errorf("web's limits:\n%s", limits)
		}
		return
	}
	e.eventually("runc to refuse the raised memlock limit", 2*time.Minute, func() bool {
		events, _ := e.client().CoreV1().Events("hello-m").List(ctx, metav1.ListOptions{})
		for _, ev := range events.Items {
			if strings.Contains(ev.Message, "rlimit") || strings.Contains(ev.Message, "RLIMIT_MEMLOCK") {
				t.Logf("as expected on a host without CAP_SYS_RESOURCE: %s", ev.Message)
				return true
			}
		}
		return false
	})
}

// hostCanRaiseLimits reports whether CAP_SYS_RESOURCE (bit 24) is in the
// capability bounding set, which containers need to raise a hard limit.
func hostCanRaiseLimits(t *testing.T) bool {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if hex, ok := strings.CutPrefix(line, "CapBnd:\t"); ok {
			bits, err := strconv.ParseUint(strings.TrimSpace(hex), 16, 64)
			return err == nil && bits&(1<<24) != 0
		}
	}
	return false
}
