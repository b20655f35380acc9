// Package spec is the typed model of a deployment's spec.yml: every key that
// laconic stack-orchestrator reads, decoded strictly, plus the checks that
// need no filesystem or cluster.
package spec
