package deploy

import (
	"encoding/json"
	"maps"
	"regexp"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/kubectl-stack/kubectl-stack/pkg/cmd"
)

// TestJSONOutputMatchesTheDocumentedShapes: what the verbs print with
// -o json on a deployed stack has only fields docs/output.md documents,
// and -o yaml is the same document.
func TestJSONOutputMatchesTheDocumentedShapes(t *testing.T) {
	_, specPath, _ := stack(t)
	dir := create(t, specPath)
	deploy(t, dir)
	documented := map[string]map[string]bool{}
	for _, s := range cmd.OutputShapes() {
		data, err := json.Marshal(s.Sample)
		if err != nil {
			t.Fatal(err)
		}
		documented[s.Verb] = jsonPaths(t, data)
	}
	for verb, args := range map[string][]string{
		"version": {"version"},
		"list":    {"list"},
		"ps":      {"ps", "-d", dir},
		"status":  {"status", "-d", dir},
		"port":    {"port", "-d", dir, "web", "80"},
		"deploy":  {"deploy", "-d", dir},
	} {
		out, errOut, err := run(t, append(args, "-o", "json")...)
		if err != nil {
			t.Fatalf("%s -o json: %v\n%s", verb, err, errOut)
		}
		got := jsonPaths(t, []byte(out))
		var undocumented []string
		for p := range got {
			if !documented[verb][p] {
				undocumented = append(undocumented, p)
			}
		}
		sort.Strings(undocumented)
		if len(undocumented) > 0 {
			t.Errorf("%s -o json prints fields docs/output.md lacks: %v\n%s", verb, undocumented, out)
		}
		if len(got) < 2 {
			t.Errorf("%s -o json printed almost nothing: %s", verb, out)
		}
		yamlOut, _, err := run(t, append(args, "-o", "yaml")...)
		if err != nil {
			t.Fatalf("%s -o yaml: %v", verb, err)
		}
		// list is left out: other tests' deployments come and go.
		if fromYAML := yamlPaths(t, yamlOut); verb != "list" && !maps.Equal(fromYAML, got) {
			t.Errorf("%s: -o yaml has other fields than -o json:\n%s", verb, yamlOut)
		}
	}
	names, _, err := run(t, "status", "-d", dir, "-o", "name")
	if err != nil || !regexp.MustCompile(`(?m)^namespace/\S+$`).MatchString(names) || !regexp.MustCompile(`(?m)^pod/\S+$`).MatchString(names) {
		t.Errorf("status -o name = %v:\n%s", err, names)
	}
	stopped, _, err := run(t, "stop", "-d", dir, "-o", "json")
	if err != nil || !strings.Contains(stopped, `"action": "deleted"`) {
		t.Fatalf("stop -o json = %v:\n%s", err, stopped)
	}
	for p := range jsonPaths(t, []byte(stopped)) {
		if !documented["stop"][p] {
			t.Errorf("stop -o json prints %s, which docs/output.md lacks", p)
		}
	}
}

// jsonPaths are the field paths of a JSON document, arrays as [].
func jsonPaths(t *testing.T, data []byte) map[string]bool {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, data)
	}
	out := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				out[prefix+"."+k] = true
				walk(prefix+"."+k, c)
			}
		case []any:
			for _, c := range v {
				walk(prefix+"[]", c)
			}
		}
	}
	walk("", v)
	return out
}

func yamlPaths(t *testing.T, doc string) map[string]bool {
	t.Helper()
	data, err := yaml.YAMLToJSON([]byte(doc))
	if err != nil {
		t.Fatalf("not YAML: %v\n%s", err, doc)
	}
	return jsonPaths(t, data)
}
