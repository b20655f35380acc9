package compose

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

// TestLiveCodeMountsAreLeftOut: a service that builds its image loses the
// bind of its build context and the anonymous volumes under it, with a
// note each; its other mounts stay, and so does the same bind on a service
// that does not build.
func TestLiveCodeMountsAreLeftOut(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testutil.WriteFile(t, dir, "frontend/Dockerfile", "FROM scratch\n")
	f := loadCompose(t, dir, `services:
  front_end:
    build: ./frontend
    volumes:
      - ./frontend:/app
      - /app/node_modules
      - /cache
      - ./frontend/nginx.conf:/etc/nginx/nginx.conf:ro
  tools:
    image: node
    volumes:
      - ./frontend:/app
      - /app/node_modules
`)
	mounts := func(svc string) string {
		var out []string
		for _, v := range f.Project.Services[svc].Volumes {
			out = append(out, v.Type+":"+v.Target)
		}
		return fmt.Sprint(out)
	}
	if got := mounts("front-end"); got != "[volume:/cache bind:/etc/nginx/nginx.conf]" {
		t.Errorf("front_end mounts %s, want only /cache and nginx.conf", got)
	}
	if got := mounts("tools"); got != "[bind:/app volume:/app/node_modules]" {
		t.Errorf("tools (no build) mounts %s, want both kept", got)
	}
	notes := strings.Join(f.Notes("web"), "\n")
	for _, want := range []string{
		"pod web (compose.yaml): service front_end: the bind of its build context ./frontend onto /app is left out",
		"service front_end: the anonymous volume /app/node_modules is left out",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes:\n%s\nwant %q", notes, want)
		}
	}
	if strings.Contains(notes, "tools") || strings.Contains(notes, "/cache") {
		t.Errorf("notes name a mount that stays:\n%s", notes)
	}
}
