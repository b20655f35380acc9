//go:build tools

// Package tools pins Traefik, built by hack/traefik-image.sh.
package tools

import _ "github.com/traefik/traefik/v3/cmd/traefik"
