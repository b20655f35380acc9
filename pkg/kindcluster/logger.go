package kindcluster

import (
	"fmt"
	"strings"

	kindlog "sigs.k8s.io/kind/pkg/log"

	"github.com/kubectl-stack/kubectl-stack/pkg/log"
)

// logger adapts kubectl-stack's progress logger to kind's log.Logger:
// kind's status lines at verbosity 0, its debug lines only with -v, its
// warnings as warnings. Each line is prefixed so that a reader can tell
// kind's messages from kubectl-stack's.
type logger struct{ l *log.Logger }

func newLogger(l *log.Logger) kindlog.Logger { return logger{l: l} }

func line(msg string) string { return "kind: " + strings.TrimRight(msg, "\n") }

func (k logger) Warn(msg string)                { k.l.Warnf("%s", line(msg)) }
func (k logger) Warnf(format string, a ...any)  { k.Warn(fmt.Sprintf(format, a...)) }
func (k logger) Error(msg string)               { k.l.Warnf("%s", line("error: "+msg)) }
func (k logger) Errorf(format string, a ...any) { k.Error(fmt.Sprintf(format, a...)) }

func (k logger) V(level kindlog.Level) kindlog.InfoLogger { return infoLogger{v: k.l.V(int(level))} }

type infoLogger struct{ v log.Verbose }

func (i infoLogger) Enabled() bool { return i.v.Enabled() }

func (i infoLogger) Info(msg string) { i.v.Infof("%s", line(msg)) }

func (i infoLogger) Infof(format string, a ...any) {
	if i.v.Enabled() {
		i.Info(fmt.Sprintf(format, a...))
	}
}
