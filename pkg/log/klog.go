package log

import (
	"flag"
	"io"
	"regexp"
	"strconv"
	"sync"

	"k8s.io/klog/v2"
)

// KlogVerbosity is the -v from which client-go's own logging (klog) is
// shown: 6 request URLs and timings, 7 headers, 8 and up request and
// response bodies, as with kubectl.
const KlogVerbosity = 6

var klogOnce sync.Once
var klogFlags = flag.NewFlagSet("klog", flag.ContinueOnError)

// RouteKlog sends client-go's klog output to w, through Redact, when
// verbosity reaches KlogVerbosity, and nowhere otherwise.
func RouteKlog(w io.Writer, verbosity int) {
	klogOnce.Do(func() { klog.InitFlags(klogFlags) })
	_ = klogFlags.Set("logtostderr", "false")
	_ = klogFlags.Set("alsologtostderr", "false")
	_ = klogFlags.Set("stderrthreshold", "FATAL")
	_ = klogFlags.Set("skip_headers", "false")
	if verbosity < KlogVerbosity {
		_ = klogFlags.Set("v", "0")
		klog.SetOutput(io.Discard)
		return
	}
	_ = klogFlags.Set("v", strconv.Itoa(verbosity))
	klog.SetOutput(redactor{w})
}

// redactor masks secrets in what it writes: the data of Secret objects in
// logged request and response bodies, and bearer tokens in headers.
type redactor struct{ w io.Writer }

var (
	// Quotes may be escaped: klog's structured lines quote the body.
	// A Secret, a SecretList (whose items carry no kind of their own), a
	// watch event of either, an apply response: each body names the kind
	// first, so a truncated body keeps it.
	secretKind = regexp.MustCompile(`\\?"kind\\?":\s*\\?"Secret(List)?\\?"`)
	// A data map, also one a truncation cut before its closing brace.
	secretData  = regexp.MustCompile(`(\\?")(data|stringData)\\?":\s*\{[^{}]*(\}|$)`)
	bearerToken = regexp.MustCompile(`(?i)(authorization:\s*bearer\s+)\S+`)
	// A pull secret's value, wherever it appears: a truncated body may
	// have lost its "kind".
	dockerConfig = regexp.MustCompile(`(\\?"\.docker(?:configjson|cfg)\\?":\s*\\?")[^"\\]+`)
)

func (r redactor) Write(p []byte) (int, error) {
	out := Redact(p)
	if _, err := r.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Redact masks Secret data and bearer tokens in a log line.
func Redact(line []byte) []byte {
	if secretKind.Match(line) {
		line = secretData.ReplaceAll(line, []byte(`${1}${2}${1}:{${1}<redacted>${1}:${1}${1}}`))
	}
	line = dockerConfig.ReplaceAll(line, []byte("${1}<redacted>"))
	return bearerToken.ReplaceAll(line, []byte("${1}<redacted>"))
}
