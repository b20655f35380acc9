package kindcluster

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// dockerSocket is the Docker Engine API endpoint: $DOCKER_HOST when it is a
// unix socket, else the default.
func dockerSocket() string {
	if h := os.Getenv("DOCKER_HOST"); strings.HasPrefix(h, "unix://") {
		return strings.TrimPrefix(h, "unix://")
	}
	return "/var/run/docker.sock"
}

// LiveMounts reads the bind mounts of a container (destination → source)
// through the Docker Engine API.
func LiveMounts(ctx context.Context, container string) (map[string]string, error) {
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", dockerSocket())
		},
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker/containers/"+url.PathEscape(container)+"/json", nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("asking the Docker engine about %s: %w", container, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("asking the Docker engine about %s: %s", container, resp.Status)
	}
	var info struct {
		Mounts []struct{ Type, Source, Destination string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		return nil, fmt.Errorf("reading the Docker engine's answer about %s: %w", container, err)
	}
	out := map[string]string{}
	for _, m := range info.Mounts {
		if m.Type == "bind" {
			out[m.Destination] = m.Source
		}
	}
	return out, nil
}
