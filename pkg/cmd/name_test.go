package cmd

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

func TestDisplayNameFollowsTheExecutable(t *testing.T) {
	t.Parallel()
	for argv0, want := range map[string]string{
		"/usr/local/bin/kubectl-stack":          "kubectl stack",
		"/root/.krew/bin/kubectl-compose_stack": "kubectl compose-stack",
		`C:\krew\bin\kubectl-compose_stack.exe`: "kubectl compose-stack",
		"./bin/kubectl-stack":                   "kubectl stack",
		"/tmp/go-build123/b001/exe/main":        "kubectl stack",
		"kubectl-":                              "kubectl stack",
	} {
		if got := DisplayName(strings.ReplaceAll(argv0, `\`, "/")); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", argv0, got, want)
		}
	}
}

// TestHelpUsesTheInvokedName: under krew's name, usage and examples say
// "kubectl compose-stack", never "kubectl stack".
func TestHelpUsesTheInvokedName(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out}
	if err := RunAs(context.Background(), "kubectl compose-stack", []string{"deploy", "--help"}, streams); err != nil {
		t.Fatal(err)
	}
	help := out.String()
	if !strings.Contains(help, "kubectl compose-stack deploy [-d DIR]") || !strings.Contains(help, "  kubectl compose-stack deploy -d ./my-deployment") || strings.Contains(help, "kubectl stack ") {
		t.Errorf("help under krew's name:\n%s", help)
	}
}
