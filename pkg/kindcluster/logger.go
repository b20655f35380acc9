package kindcluster

import (
	"fmt"
	"io"
	"strings"

	kindlog "sigs.k8s.io/kind/pkg/log"
)

// logger is kind's log.Logger on a progress writer: kind's status lines at
// verbosity 0, its debug lines only with -v. Each line is prefixed so that
// a reader can tell kind's messages from kubectl-stack's.
type logger struct {
	w         io.Writer
	verbosity int
}

func newLogger(w io.Writer, verbosity int) kindlog.Logger {
	return &logger{w: w, verbosity: verbosity}
}

func (l *logger) print(prefix, msg string) {
	fmt.Fprintf(l.w, "kind: %s%s\n", prefix, strings.TrimRight(msg, "\n"))
}

func (l *logger) Warn(msg string)                { l.print("warning: ", msg) }
func (l *logger) Warnf(format string, a ...any)  { l.Warn(fmt.Sprintf(format, a...)) }
func (l *logger) Error(msg string)               { l.print("error: ", msg) }
func (l *logger) Errorf(format string, a ...any) { l.Error(fmt.Sprintf(format, a...)) }

func (l *logger) V(level kindlog.Level) kindlog.InfoLogger {
	return infoLogger{l: l, enabled: int(level) <= l.verbosity}
}

type infoLogger struct {
	l       *logger
	enabled bool
}

func (i infoLogger) Enabled() bool { return i.enabled }

func (i infoLogger) Info(msg string) {
	if i.enabled {
		i.l.print("", msg)
	}
}

func (i infoLogger) Infof(format string, a ...any) {
	if i.enabled {
		i.Info(fmt.Sprintf(format, a...))
	}
}
