package render

import (
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestSysctlsAndShmSize: sysctls every kubelet allows are the pod's;
// others are warned about, naming them, and left out (a pod asking for
// one would be refused); shm_size is a memory /dev/shm of that size.
func TestSysctlsAndShmSize(t *testing.T) {
	t.Parallel()
	plan, _, objects := renderProject(t, `services:
  db:
    image: postgres
    shm_size: 256m
    sysctls:
      net.ipv4.tcp_syncookies: "1"
      net.core.somaxconn: "1024"
`, "")
	var sysctls, shm string
	for _, o := range objects {
		if o.GetKind() != "Deployment" {
			continue
		}
		list, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "securityContext", "sysctls")
		sysctls = fmt.Sprint(list)
		vols, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "volumes")
		for _, v := range vols {
			if ed, ok := v.(map[string]any)["emptyDir"].(map[string]any); ok && ed["medium"] == "Memory" {
				shm = fmt.Sprint(ed["sizeLimit"])
			}
		}
	}
	if sysctls != "[map[name:net.ipv4.tcp_syncookies value:1]]" || shm != "256Mi" {
		t.Errorf("sysctls %s, /dev/shm size %q; want tcp_syncookies alone and 256Mi", sysctls, shm)
	}
	if w := strings.Join(plan.Warnings, "\n"); !strings.Contains(w, "service db: sysctl net.core.somaxconn is not one every kubelet allows") {
		t.Errorf("warnings:\n%s\nwant somaxconn named", w)
	}
}

// TestHostPathWritersAreRecreated: a pod that writes a host path rolls
// out by Recreate, as one with a claim does, so that two copies never
// share its data directory; one that only reads it surges.
func TestHostPathWritersAreRecreated(t *testing.T) {
	t.Parallel()
	for bind, want := range map[string]string{"/srv/db:/var/lib/db": "Recreate", "/srv/db:/var/lib/db:ro": "RollingUpdate"} {
		_, _, objects := renderProject(t, "services:\n  db:\n    image: postgres\n    volumes: [\""+bind+"\"]\n", "")
		for _, o := range objects {
			if o.GetKind() == "Deployment" {
				if got, _, _ := unstructured.NestedString(o.Object, "spec", "strategy", "type"); got != want {
					t.Errorf("%s: strategy %s, want %s", bind, got, want)
				}
			}
		}
	}
}
