package render

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestHostnameAndDomainname: hostname: is the pod's hostname, so the
// container sees it as its own name, as in docker compose; domainname: (or
// the rest of a dotted hostname) is its subdomain, with a headless Service
// of that name selecting it, so that <hostname>.<domainname> resolves.
// What a pod cannot carry is warned about, naming the service.
func TestHostnameAndDomainname(t *testing.T) {
	t.Parallel()
	plan, _, objects := renderProject(t, `services:
  db:
    image: postgres
    hostname: database
    domainname: internal
  mail:
    image: postfix
    hostname: smtp.corp
  bad:
    image: x
    hostname: Bad_Host
`, "pod-per-service: true\n")
	hosts := map[string]string{}
	var services []string
	for _, o := range objects {
		switch o.GetKind() {
		case "Deployment":
			h, _, _ := unstructured.NestedString(o.Object, "spec", "template", "spec", "hostname")
			sd, _, _ := unstructured.NestedString(o.Object, "spec", "template", "spec", "subdomain")
			hosts[o.GetName()] = h + "/" + sd
		case "Service":
			ip, _, _ := unstructured.NestedString(o.Object, "spec", "clusterIP")
			sel, _, _ := unstructured.NestedString(o.Object, "spec", "selector", LabelComponent)
			services = append(services, o.GetName()+"("+ip+"→"+sel+")")
		}
	}
	for dep, want := range map[string]string{"laconic-0fixture1-db-deployment": "database/internal", "laconic-0fixture1-mail-deployment": "smtp/corp", "laconic-0fixture1-bad-deployment": "/"} {
		if hosts[dep] != want {
			t.Errorf("%s: hostname/subdomain %q, want %q", dep, hosts[dep], want)
		}
	}
	all := strings.Join(services, " ")
	for _, want := range []string{"internal(None→db)", "corp(None→mail)", "database(None→db)"} {
		if !strings.Contains(all, want) {
			t.Errorf("Services %s; want %s", all, want)
		}
	}
	if w := strings.Join(plan.Warnings, "\n"); !strings.Contains(w, `service bad: hostname "Bad_Host" cannot be a pod's hostname`) || strings.Contains(w, `compose key "hostname"`) {
		t.Errorf("warnings:\n%s\nwant Bad_Host named, and hostname no longer left out", w)
	}

	// One pod per compose file: its services share one hostname.
	plan, _, _ = renderProject(t, "services:\n  a:\n    image: x\n    hostname: alpha\n  b:\n    image: x\n    hostname: beta\n", "")
	if w := strings.Join(plan.Warnings, "\n"); !strings.Contains(w, `service b: hostname "beta" is not given: the services of pod shop_app share one hostname, and service a gives "alpha"`) {
		t.Errorf("warnings:\n%s\nwant beta named as not given", w)
	}
}
