// Package log is kubectl-stack's progress logger: messages go to stderr,
// filtered by verbosity (0 status, 1 debug, 2 detail, 3+ trace), so that
// stdout carries only data.
package log

import (
	"fmt"
	"io"
)

// Logger writes leveled messages to one writer.
type Logger struct {
	w         io.Writer
	verbosity int
	// warned holds the warnings printed, so that one verb driving others
	// (restart: create, then deploy) says each thing once.
	warned map[string]bool
}

// New returns a logger that prints messages at or below verbosity; a
// negative verbosity (-q) prints only warnings.
func New(w io.Writer, verbosity int) *Logger {
	return &Logger{w: w, verbosity: verbosity, warned: map[string]bool{}}
}

// Infof prints a status message (verbosity 0).
func (l *Logger) Infof(format string, args ...any) { l.V(0).Infof(format, args...) }

// Warnf prints a warning, once: the same warning again is dropped.
func (l *Logger) Warnf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if l.warned[msg] {
		return
	}
	l.warned[msg] = true
	fmt.Fprintf(l.w, "warning: %s\n", msg)
}

// V returns a logger for messages at level n.
func (l *Logger) V(n int) Verbose {
	if n > l.verbosity {
		return Verbose{}
	}
	return Verbose{w: l.w}
}

// Verbose prints only when its level is enabled.
type Verbose struct{ w io.Writer }

// Enabled reports whether messages at this level are printed.
func (v Verbose) Enabled() bool { return v.w != nil }

// Infof prints the message if enabled.
func (v Verbose) Infof(format string, args ...any) {
	if v.w != nil {
		fmt.Fprintf(v.w, format+"\n", args...)
	}
}

// Discard returns a logger that prints nothing.
func Discard() *Logger { return New(io.Discard, -1) }
