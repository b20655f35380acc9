package compose

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/sirupsen/logrus"
	"go.yaml.in/yaml/v3"

	"github.com/kubectl-stack/kubectl-stack/pkg/bindsrc"
)

// DotEnvFile is the file docker compose reads variables from, in the
// project directory (the compose file's directory).
const DotEnvFile = ".env"

// readDotEnv returns the variables of dir/.env, or none when there is no
// such file. Values the caller already has (the spec's config) win, as the
// shell environment wins over .env in docker compose.
func readDotEnv(dir, root string, env map[string]string) (map[string]string, bool, error) {
	path := filepath.Join(dir, DotEnvFile)
	if err := checkReadable(path, root, ".env"); errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	vars, err := dotenv.ReadFile(path, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", path, err)
	}
	return vars, true, nil
}

// checkReadable refuses, before compose-go opens it, a file it must not
// read: one that lies outside root once the links of every component of
// its path are followed (../outside.env, ./etc-link/passwd), one that is
// not a regular file (a FIFO would block the read forever, a device would
// never end), and one larger than any stack file may be.
func checkReadable(path, root, field string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !bindsrc.Inside(path, root) {
		return fmt.Errorf("%s: %s lies outside the stack (%s) once its links are followed; files outside the stack are never read: copy it into the stack", field, path, root)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s: %s is not a regular file (%s); remove it or point at a regular file", field, path, info.Mode().Type())
	}
	if info.Size() > bindsrc.ReadLimit {
		return fmt.Errorf("%s: %s holds %d bytes, more than a stack file may (%d)", field, path, info.Size(), bindsrc.ReadLimit)
	}
	return nil
}

// scalarsAt returns a node's string value, the strings of a sequence, and
// the key field of mappings (env_file's long form, extends).
func scalarsAt(n *yaml.Node, key string) []string {
	switch n.Kind {
	case yaml.ScalarNode:
		return []string{n.Value}
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			out = append(out, scalarsAt(c, key)...)
		}
		return out
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return []string{n.Content[i+1].Value}
			}
		}
	}
	return nil
}

// plainReference matches $VAR and ${VAR} (no default, no error, no
// alternative), for which an unset VAR really expands to "".
func plainReference(name string) *regexp.Regexp {
	q := regexp.QuoteMeta(name)
	return regexp.MustCompile(`\$(` + q + `\b|\{` + q + `\})`)
}

// compose-go logs through logrus (an obsolete version attribute, yes/no
// booleans); its lines are collected as warnings of the file being loaded,
// so that they reach the user through kubectl-stack's logger.
var (
	logMu   sync.Mutex
	logSink *[]string
)

type logHook struct{}

func (logHook) Levels() []logrus.Level { return logrus.AllLevels }

func (logHook) Fire(e *logrus.Entry) error {
	if logSink != nil && e.Level <= logrus.WarnLevel {
		*logSink = append(*logSink, e.Message)
	}
	return nil
}

func init() {
	logrus.AddHook(logHook{})
	logrus.SetOutput(io.Discard)
}

// collectLogs runs fn with compose-go's log lines going to sink.
func collectLogs(sink *[]string, fn func() error) error {
	logMu.Lock()
	defer logMu.Unlock()
	logSink = sink
	defer func() { logSink = nil }()
	return fn()
}

// Notes are the file's warnings for the user: compose-go's own, and each
// ${VAR} that nothing sets. They name the pod rather than the file's path,
// so that the stack's compose file and the deployment directory's copy of
// it give the same lines, which the logger prints once per command.
func (f *File) Notes(pod string) []string {
	var out []string
	where := "pod " + pod + " (" + filepath.Base(f.Path) + ")"
	for _, w := range f.Warnings {
		out = append(out, where+": "+strings.TrimPrefix(strings.ReplaceAll(w, f.Path+": ", ""), f.Path))
	}
	for _, name := range slices.Sorted(maps.Keys(f.Project.DisabledServices)) {
		profiles := strings.Join(f.Project.DisabledServices[name].Profiles, ",")
		out = append(out, fmt.Sprintf("%s: service %s is in profile %s, which is not active, so it is not deployed, as docker compose leaves it out; to deploy it, set %s: %s under config: in spec.yml (kubectl stack init --profile), or in %s", where, name, profiles, ProfilesVariable, profiles, DotEnvFile))
	}
	for _, note := range append(slices.Clone(f.liveCode), f.dataNotes...) {
		out = append(out, where+": "+note)
	}

	for _, name := range f.ServiceNames() {
		if written := f.ServiceName(name); written != name && len(ContainerPorts(f.Project.Services[name])) > 0 {
			out = append(out, fmt.Sprintf("%s: service %s is reached as %s in the cluster (a Kubernetes name cannot be %q); the compose file's environment values naming it are rewritten, but config files and defaults built into images that name %s must name %s", where, written, name, written, written, name))
		}
	}
	for _, v := range f.UnsetVariables {
		out = append(out, fmt.Sprintf("%s: ${%s} is not set (not in the spec's config, not in %s) and has no default, so it expands to an empty string; add it under config: in spec.yml", where, v, DotEnvFile))
	}
	return out
}
