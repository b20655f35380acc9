//go:build tools

// Package tools pins krew's commands for hack/krew-tools.sh.
package tools

import (
	_ "sigs.k8s.io/krew/cmd/krew"
	_ "sigs.k8s.io/krew/cmd/validate-krew-manifest"
)
