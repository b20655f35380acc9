package lifecycle

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/pkg/render"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// TestDeployMakesTheCopyUpImageOnKind: on kind, a deployment whose pods
// run the copy-up init container gets its image made from the plugin's
// executable when Docker lacks it, then loaded like the stack's images;
// an image Docker has is not made again; a program that is not the
// plugin cannot make it and says how to go on, before any write.
func TestDeployMakesTheCopyUpImageOnKind(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		executable string
		local      bool
		wantErr    string
		wantWrites []string
	}{
		{name: "made from the plugin, then loaded", executable: "/usr/local/bin/kubectl-stack",
			wantWrites: []string{"engine.MakeImage " + render.DefaultCopyUpImage + " from /usr/local/bin/kubectl-stack", "kind.LoadImages " + builtImage + "," + render.DefaultCopyUpImage, "cluster.Apply kind-" + clusterName, "cluster.Prune"}},
		{name: "Docker has it: only loaded", executable: "/usr/local/bin/kubectl-stack", local: true,
			wantWrites: []string{"kind.LoadImages " + builtImage + "," + render.DefaultCopyUpImage, "cluster.Apply kind-" + clusterName, "cluster.Prune"}},
		{name: "not the plugin: refused before any write", wantErr: "set copy-up-image: none"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.l.Executable = tc.executable
			target := newTarget(t, spec.DeployToKind)
			w.kind.running, w.kind.live = []string{clusterName}, map[string]string{"/mnt": mountRoot(target)}
			w.engine.local[builtImage] = true
			w.engine.local[render.DefaultCopyUpImage] = tc.local
			podSpec := target.Objects[0].Object["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
			podSpec["initContainers"] = []any{map[string]any{"name": "kubectl-stack-copy-up", "image": render.DefaultCopyUpImage}}
			_, err := w.l.Deploy(context.Background(), DeployRequest{Target: target})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Deploy = %v, want an error containing %q", err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatalf("Deploy = %v", err)
			}
			if got := w.wrote(); !slices.Equal(got, tc.wantWrites) {
				t.Errorf("writes = %q\nwant %q", got, tc.wantWrites)
			}
		})
	}
}
