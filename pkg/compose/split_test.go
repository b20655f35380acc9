package compose

import (
	"context"
	"fmt"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

// TestPodGroupsKeepNetworkPeersTogether: every service is a pod of its own,
// except those that join another's network (network_mode: service:X, even
// through a chain), which join X's pod, named after X.
func TestPodGroupsKeepNetworkPeersTogether(t *testing.T) {
	t.Parallel()
	f := loadCompose(t, t.TempDir(), `services:
  vpn_gateway:
    image: vpn
  torrent:
    image: torrent
    network_mode: "service:vpn_gateway"
  web_ui:
    image: ui
    network_mode: "service:torrent"
  db:
    image: postgres
  Api.V2:
    image: api
    network_mode: host
`)
	got := fmt.Sprint(f.PodGroups())
	if want := "[[api-v2] [db] [vpn-gateway torrent web-ui]]"; got != want {
		t.Errorf("PodGroups() = %s, want %s", got, want)
	}
	view := f.Only([]string{"vpn-gateway", "torrent", "web-ui"})
	if got := fmt.Sprint(view.ServiceNames()); got != "[torrent vpn-gateway web-ui]" {
		t.Errorf("the view's services = %s", got)
	}
	if got := fmt.Sprint(view.RenamedServices()); got != "map[vpn_gateway:vpn-gateway web_ui:web-ui]" {
		t.Errorf("the view's renamed services = %s, want only its own", got)
	}
	if got := len(f.ServiceNames()); got != 5 {
		t.Errorf("Only changed the file: it has %d services, want 5", got)
	}
}

// loadCompose writes a compose.yaml into dir and loads it.
func loadCompose(t *testing.T, dir, body string) *File {
	t.Helper()
	f, err := Load(context.Background(), testutil.WriteFile(t, dir, "compose.yaml", body), "/", nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
