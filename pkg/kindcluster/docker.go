package kindcluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// The Docker Engine API, spoken over its unix socket: the two things kind's
// node abstraction does not expose are a node container's mounts and the
// local image store.

// errNotFound is the engine's 404.
var errNotFound = errors.New("not found")

// dockerSocket is the Docker Engine API endpoint: $DOCKER_HOST when it is a
// unix socket, else the default. Another DOCKER_HOST is an error, not a
// silent fallback to a different engine than kind's.
func dockerSocket() (string, error) {
	h := os.Getenv("DOCKER_HOST")
	switch {
	case h == "":
		return "/var/run/docker.sock", nil
	case strings.HasPrefix(h, "unix://"):
		return strings.TrimPrefix(h, "unix://"), nil
	}
	return "", fmt.Errorf("DOCKER_HOST=%s: kubectl-stack reads node mounts and images through a unix socket only; unset DOCKER_HOST or point it at unix:///path/to/docker.sock", h)
}

func dockerClient(socket string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		},
	}}
}

// dockerGet sends GET path to the engine and returns the body of a 200
// answer; the caller closes it.
func dockerGet(ctx context.Context, path string) (io.ReadCloser, error) {
	socket, err := dockerSocket()
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker"+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := dockerClient(socket).Do(req)
	if err != nil {
		return nil, fmt.Errorf("talking to the Docker engine at %s: %w", socket, err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return resp.Body, nil
	case http.StatusNotFound:
		resp.Body.Close()
		return nil, errNotFound
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return nil, fmt.Errorf("the Docker engine answered %s: %s", resp.Status, strings.TrimSpace(string(msg)))
}

func dockerGetJSON(ctx context.Context, path string, v any) error {
	body, err := dockerGet(ctx, path)
	if err != nil {
		return err
	}
	defer body.Close()
	return json.NewDecoder(body).Decode(v)
}

// LiveMounts reads the bind mounts of a container (destination → source)
// through the Docker Engine API.
func LiveMounts(ctx context.Context, container string) (map[string]string, error) {
	var info struct {
		Mounts []struct{ Type, Source, Destination string }
	}
	if err := dockerGetJSON(ctx, "/containers/"+url.PathEscape(container)+"/json", &info); err != nil {
		return nil, fmt.Errorf("asking the Docker engine about %s: %w", container, err)
	}
	out := map[string]string{}
	for _, m := range info.Mounts {
		if m.Type == "bind" {
			out[m.Destination] = m.Source
		}
	}
	return out, nil
}

// localImageID returns the ID of an image in the local Docker image store,
// or "" when the engine does not have it.
func localImageID(ctx context.Context, image string) (string, error) {
	var info struct {
		ID string `json:"Id"`
	}
	err := dockerGetJSON(ctx, "/images/"+image+"/json", &info)
	if errors.Is(err, errNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("looking up image %s: %w", image, err)
	}
	return info.ID, nil
}

// saveImages streams a docker-save archive of the images.
func saveImages(ctx context.Context, images []string) (io.ReadCloser, error) {
	q := url.Values{}
	for _, im := range images {
		q.Add("names", im)
	}
	body, err := dockerGet(ctx, "/images/get?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("exporting images %s from Docker: %w", strings.Join(images, ", "), err)
	}
	return body, nil
}
