package render

import (
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestSecurityOptsSeccompAndInit: every pod runs under the runtime's
// default seccomp profile, as docker runs every container; security_opt
// no-new-privileges forbids privilege escalation, seccomp:unconfined and
// apparmor:unconfined lift the container's profile, and any other entry
// is warned about, naming it; init: true shares the pod's process
// namespace, whose first process (pause) reaps zombies as docker's init.
func TestSecurityOptsSeccompAndInit(t *testing.T) {
	t.Parallel()
	plan, _, objects := renderProject(t, `services:
  app:
    image: x
    init: true
    security_opt: ["no-new-privileges:true", "seccomp=unconfined", "apparmor:unconfined", "label:type:svirt_apache_t"]
  plain:
    image: x
`, "pod-per-service: true\n")
	pods := map[string]map[string]any{}
	for _, o := range objects {
		if o.GetKind() == "Deployment" {
			pod, _, _ := unstructured.NestedMap(o.Object, "spec", "template", "spec")
			ctrs, _, _ := unstructured.NestedSlice(pod, "containers")
			pods[ctrs[0].(map[string]any)["name"].(string)] = pod
		}
	}
	for name, pod := range pods {
		if profile, _, _ := unstructured.NestedString(pod, "securityContext", "seccompProfile", "type"); profile != "RuntimeDefault" {
			t.Errorf("%s: pod seccomp profile %q, want RuntimeDefault", name, profile)
		}
	}
	app := pods["app"]
	if share, _, _ := unstructured.NestedBool(app, "shareProcessNamespace"); !share {
		t.Error("app (init: true) does not share its process namespace")
	}
	if share, found, _ := unstructured.NestedBool(pods["plain"], "shareProcessNamespace"); found || share {
		t.Error("plain shares its process namespace")
	}
	ctr := app["containers"].([]any)[0].(map[string]any)
	escalation, found, _ := unstructured.NestedBool(ctr, "securityContext", "allowPrivilegeEscalation")
	seccomp, _, _ := unstructured.NestedString(ctr, "securityContext", "seccompProfile", "type")
	apparmor, _, _ := unstructured.NestedString(ctr, "securityContext", "appArmorProfile", "type")
	if !found || escalation || seccomp != "Unconfined" || apparmor != "Unconfined" {
		t.Errorf("app's security context: allowPrivilegeEscalation %v (set %v), seccomp %q, apparmor %q", escalation, found, seccomp, apparmor)
	}
	warned := slices.ContainsFunc(plan.Warnings, func(w string) bool {
		return strings.Contains(w, `security_opt "label:type:svirt_apache_t" has no Kubernetes equivalent`)
	})
	if !warned || slices.ContainsFunc(plan.Warnings, func(w string) bool {
		return strings.Contains(w, `"init"`) || strings.Contains(w, "no-new-privileges:true\"")
	}) {
		t.Errorf("warnings = %q; want the SELinux label alone warned", plan.Warnings)
	}
}
