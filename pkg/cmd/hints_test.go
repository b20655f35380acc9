package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/lifecycle"
	"github.com/kubectl-stack/kubectl-stack/pkg/podio"
)

// TestHintsNameTheFix: each typed library error, however wrapped, comes
// out of the CLI with the flag or verb that fixes it, and keeps its type.
func TestHintsNameTheFix(t *testing.T) {
	t.Parallel()
	wrap := func(err error) error { return fmt.Errorf("deploying /d: %w", err) }
	cases := []struct {
		err  error
		hint func(error) error
		want string
	}{
		{wrap(&lifecycle.KindNotRunningError{Cluster: "c", Dir: "/d"}), hint, "deploy without --skip-cluster-management, or run kubectl stack kind create -d /d"},
		{&lifecycle.OtherClusterError{Running: []string{"x"}, Cluster: "c", Dir: "/d"}, hint, "kubectl stack kind delete -d <its deployment>"},
		{wrap(&lifecycle.NotPushedError{Image: "i", Service: "web", Dir: "/d"}), hint, "kubectl stack build -d /d --push"},
		{&lifecycle.BuildError{Service: "web", Dir: "/d", Err: errors.New("boom")}, hint, "kubectl stack build -d /d web"},
		{&lifecycle.StackSourceMissingError{Path: "/s", Asked: true}, hint, "--stack-path"},
		{&lifecycle.StackSourceMissingError{Path: "/s", Dir: "/d"}, hint, "pass --stack-path with its new location"},
		{&lifecycle.StopInterruptedError{Dir: "/d", Err: context.Canceled}, hint, "run kubectl stack stop -d /d again"},
		{&lifecycle.InterruptedError{Dir: "/d", Done: []string{"cluster"}, Next: "mounts"}, hint, "run kubectl stack deploy -d /d to continue"},
		{&deployment.NoDeploymentHereError{Dir: "/here"}, hint, "pass -d/--deployment-dir"},
		{&deployment.ExistsError{Dir: "/d"}, hint, "pass --update"},
		{&deployment.NotDeploymentError{Dir: "/d"}, hint, "run create without --update"},
		{wrap(&apply.InterruptedError{Applied: true}), func(err error) error { return interruptHint(err, "/d") }, "kubectl stack status -d /d"},
		{wrap(&apply.InterruptedError{}), func(err error) error { return interruptHint(err, "/d") }, "kubectl stack deploy -d /d (it converges"},
		{&lifecycle.DeleteRefusedError{Cluster: "c", Others: []string{"b"}}, func(err error) error { return refusalHint(err, "pass --force") }, "\npass --force"},
		{&podio.NotDeployedError{Namespace: "ns", ID: "id"}, func(err error) error { return podHint(err, "/d") }, "(kubectl stack deploy -d /d)"},
	}
	for _, tc := range cases {
		got := tc.hint(tc.err)
		if !strings.Contains(got.Error(), tc.want) || !strings.HasPrefix(got.Error(), tc.err.Error()) {
			t.Errorf("hint(%q) = %q, want the error followed by %q", tc.err, got, tc.want)
		}
		if !errors.Is(got, errors.Unwrap(got)) || errors.Unwrap(got) == nil {
			t.Errorf("hint(%q) lost the error it wraps", tc.err)
		}
	}
	if plain := errors.New("plain"); hint(plain) != plain {
		t.Error("hint changed an error it has no hint for")
	}
}
