//go:build tools

// Package tools pins kwok, built by hack/testbin.sh.
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
