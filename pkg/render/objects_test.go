package render

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

// TestComposeSecretsAndConfigs: a service's secrets are mounted from
// Secrets that deploy makes (the tree names them and holds no value) at
// /run/secrets/<name> or their target, with their mode; its configs are
// ConfigMaps in the tree (file:, content:, environment: from the spec's
// config) mounted at /<name> or their target; uid/gid are warned about.
func TestComposeSecretsAndConfigs(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	project := root + "/shop_app"
	testutil.WriteFile(t, project, "token.txt", "s3cr3t-value\n")
	testutil.WriteFile(t, project, "conf/settings.ini", "[main]\nmode = prod\n")
	plan, out, objects := renderProjectIn(t, root, `services:
  app:
    image: app
    secrets:
      - token
      - source: token
        target: /etc/app/token
        mode: 0400
        uid: "1000"
    configs:
      - settings
      - source: inline
        target: /etc/app/inline.conf
      - source: fromenv
        target: etc/app/env.conf
secrets:
  token:
    file: ./token.txt
configs:
  settings:
    file: ./conf/settings.ini
  inline:
    content: "listen = 80\n"
  fromenv:
    environment: APP_MODE
`, "config:\n  APP_MODE: strict\n")
	if strings.Contains(string(out), "s3cr3t-value") {
		t.Fatal("the rendered tree holds the secret's value")
	}
	mounts := map[string]string{}
	configs := map[string]string{}
	for _, o := range objects {
		switch o.GetKind() {
		case "Deployment":
			ctrs, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
			for _, m := range ctrs[0].(map[string]any)["volumeMounts"].([]any) {
				mm := m.(map[string]any)
				mounts[mm["mountPath"].(string)] = mm["name"].(string) + "/" + mm["subPath"].(string)
			}
		case "ConfigMap":
			if v, ok, _ := unstructured.NestedString(o.Object, "data", "content"); ok {
				configs[o.GetName()] = v
			}
		case "Secret":
			t.Errorf("the tree holds the Secret %s", o.GetName())
		}
	}
	for path, want := range map[string]string{
		"/run/secrets/token": "secret-token-444/content", "/etc/app/token": "secret-token-400/content",
		"/settings": "config-settings-444/content", "/etc/app/inline.conf": "config-inline-444/content", "/etc/app/env.conf": "config-fromenv-444/content",
	} {
		if mounts[path] != want {
			t.Errorf("mount at %s = %q, want %q (all: %v)", path, mounts[path], want, mounts)
		}
	}
	for name, want := range map[string]string{
		"laconic-0fixture1-config-settings": "[main]\nmode = prod\n", "laconic-0fixture1-config-inline": "listen = 80\n", "laconic-0fixture1-config-fromenv": "strict",
	} {
		if configs[name] != want {
			t.Errorf("ConfigMap %s holds %q, want %q", name, configs[name], want)
		}
	}
	if w := strings.Join(plan.Warnings, "\n"); !strings.Contains(w, "service app: secret token: uid/gid are not carried") {
		t.Errorf("warnings:\n%s\nwant uid named", w)
	}
	if !strings.Contains(string(out), "secretName: laconic-0fixture1-secret-token") {
		t.Error("the tree does not reference the Secret deploy makes")
	}
}
