//go:build tools

// Package tools pins the real docker compose, which the conformance suite
// (test/conformance) runs compose projects with to compare them with
// kubectl stack deploy. hack/docker-compose.sh builds it, cached by version.
package tools

import _ "github.com/docker/compose/v5/cmd"
