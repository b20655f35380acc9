// Package startup holds the garbage collector off while the packages the
// command links initialise.
//
// Those initialisations (API schemes, compose-go's JSON Schema meta-schemas)
// build tables that live as long as the process: collecting while they grow
// finds almost nothing to free, yet it cost a quarter of a short command's
// start. The package imports only runtime/debug, so Go's initialisation
// order (by import path, among packages whose imports are ready) runs it
// before every heavy package: github.com/kubectl-stack sorts before
// github.com/santhosh-tekuri, golang.org, k8s.io and sigs.k8s.io.
package startup

import "runtime/debug"

// percent is GOGC as the runtime read it (100 unless set).
var percent = debug.SetGCPercent(-1)

// Done gives the collector back its setting; main calls it first.
func Done() { debug.SetGCPercent(percent) }
