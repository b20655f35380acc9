package render

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// TestDocumentsAreWhatSigsYAMLWrites: documents are written straight with
// the YAML library, not through JSON as sigs.k8s.io/yaml (and kustomize's
// output) does; values YAML treats specially come out the same.
func TestDocumentsAreWhatSigsYAMLWrites(t *testing.T) {
	t.Parallel()
	tricky := []string{"yes", "no", "on", "off", "y", "true", "null", "~", "", " ", "0o12", "012", "0x1F", "1e3", "1_000", "8080",
		"-", "- a", ": b", "a: b", "#c", "@x", "`y`", "'q'", "\"d\"", "tab\there", "trailing space ", "line1\nline2\n", "line1\nline2",
		"  indented\nblock\n", "ünïcödé", "emoji 🚀", strings.Repeat("long words ", 20), "=", "<<", "*a", "&a", "!tag", "%x", "{a}", "[b]"}
	data := map[string]string{}
	for i, v := range tricky {
		data[string(rune('a'+i%26))+strings.Repeat("z", i/26)] = v
	}
	cm := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}, ObjectMeta: metav1.ObjectMeta{Name: "x", Labels: map[string]string{"n": "1"}}, Data: data}
	svc := &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"}, ObjectMeta: metav1.ObjectMeta{Name: "s"},
		Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 8080, NodePort: 30080}}, Selector: map[string]string{"app": "x"}}}
	for _, obj := range []any{cm, svc} {
		d, err := newDocument(obj)
		if err != nil {
			t.Fatal(err)
		}
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			t.Fatal(err)
		}
		delete(u, "status")
		delete(u["metadata"].(map[string]any), "creationTimestamp")
		want, err := yaml.Marshal(u)
		if err != nil {
			t.Fatal(err)
		}
		if d.yaml != string(want) {
			t.Errorf("document differs from sigs.k8s.io/yaml:\n%s\n--- want\n%s", d.yaml, want)
		}
	}
}
