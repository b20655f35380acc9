package compose

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"

	"github.com/kubectl-stack/kubectl-stack/pkg/bindsrc"
)

// Every file compose-go reads besides the one it is given (env_file,
// extends.file, include:, an include's env_file and .env, further -f files)
// is checked here first, against the stack's root, because compose-go opens
// whatever a path names. Paths are interpolated as compose-go will
// interpolate them: ${UNSET}/etc/passwd is /etc/passwd to compose-go.

// refWalk checks the files a compose file refers to, recursively, and
// collects them (to copy into the deployment directory) with the volume
// entries of the services they bring in.
type refWalk struct {
	root string
	// mainDir is the project directory: the first compose file's.
	mainDir string
	seen    map[string]bool
	// files are the files read besides the compose files given, in the
	// order met, each once.
	files []string
	// sources and rw are the volume entries as written of services that
	// included files bring in, sources written relative to mainDir.
	sources map[string][]string
	rw      map[string]bool
}

func newRefWalk(root, mainDir string) *refWalk {
	return &refWalk{root: root, mainDir: mainDir, seen: map[string]bool{}, sources: map[string][]string{}, rw: map[string]bool{}}
}

// file checks what doc (a compose file whose relative paths resolve
// against dir) refers to; env interpolates the paths.
func (w *refWalk) file(doc *rawFile, dir string, env types.Mapping) error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(doc.Services)) {
		s := doc.Services[name]
		for _, p := range scalarsAt(&s.EnvFile, "path") {
			errs = append(errs, w.check("services."+name+".env_file", dir, p, env, false))
		}
		for _, p := range scalarsAt(&s.Extends, "file") {
			if err := w.check("services."+name+".extends.file", dir, p, env, false); err != nil {
				errs = append(errs, err)
				continue
			}
			if path, ok := interpolated(dir, p, env); ok {
				errs = append(errs, w.read(path, filepath.Dir(path), env, false))
			}
		}
	}
	entries, err := includeEntries(&doc.Include)
	if err != nil {
		return err
	}
	for _, e := range entries {
		errs = append(errs, w.include(e, dir, env))
	}
	return errors.Join(errs...)
}

// check refuses a file compose-go must not read (checkReadable). A missing
// file is left to compose-go, which knows which are required, unless
// mustExist.
func (w *refWalk) check(field, dir, p string, env types.Mapping, mustExist bool) error {
	path, ok := interpolated(dir, p, env)
	if !ok {
		return nil // compose-go reports the variable
	}
	err := checkReadable(path, w.root, field)
	if errors.Is(err, fs.ErrNotExist) {
		if mustExist {
			return fmt.Errorf("%s: %s does not exist; create it or remove the reference", field, path)
		}
		return nil
	}
	return err
}

// read records a file compose-go reads and checks what it refers to, once.
// The volume entries of an included file's services are kept (an extended
// file's services are not added to the project).
func (w *refWalk) read(path, dir string, env types.Mapping, included bool) error {
	if w.seen[path] {
		return nil
	}
	w.seen[path] = true
	w.files = append(w.files, path)
	data, err := bindsrc.ReadFile(path, w.root, bindsrc.ReadLimit)
	if err != nil {
		return nil // compose-go reports a missing or unreadable file
	}
	raw, err := parseRaw(data)
	if err != nil {
		return nil // and a file it cannot parse
	}
	if included {
		w.addVolumes(raw, dir)
	}
	if err := w.file(raw, dir, env); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// addVolumes records an included file's volume entries, their relative
// sources rewritten against the main project directory (./data in
// ./db/compose.yaml is ./db/data), as compose-go resolves them.
func (w *refWalk) addVolumes(doc *rawFile, dir string) {
	sources, rw := doc.volumes()
	for svc, list := range sources {
		for _, src := range list {
			written := src
			if IsRelativeSource(src) && (src == "." || src == ".." || hasPathPrefix(src)) {
				written = relativeTo(w.mainDir, resolve(dir, src))
			}
			w.sources[svc] = append(w.sources[svc], written)
			if rw[svc+"\x00"+src] {
				w.rw[svc+"\x00"+written] = true
			}
		}
	}
}

// hasPathPrefix: a short-syntax source that is a path ("./x", "../x",
// "x/y"), not a named volume ("x").
func hasPathPrefix(src string) bool {
	return filepath.Base(src) != src || src[0] == '.'
}

// include checks one include: entry: its files, its project directory's
// .env or its env_files, and what the included files refer to.
func (w *refWalk) include(e includeEntry, dir string, env types.Mapping) error {
	field := fmt.Sprintf("line %d: include", e.line)
	if len(e.paths) == 0 {
		return fmt.Errorf("%s: an entry names no path; give path: the compose file to include", field)
	}
	var paths []string
	for _, p := range e.paths {
		if err := w.check(field, dir, p, env, true); err != nil {
			return err
		}
		path, ok := interpolated(dir, p, env)
		if !ok {
			return nil
		}
		paths = append(paths, path)
	}
	projectDir := filepath.Dir(paths[0])
	if e.projectDir != "" {
		if d, ok := interpolated(dir, e.projectDir, env); ok {
			projectDir = d
		}
	}
	envFiles, err := w.includeEnvFiles(e, dir, projectDir, env, field)
	if err != nil {
		return err
	}
	// The included files interpolate with the include's env_files too.
	inner := maps.Clone(env)
	if inner == nil {
		inner = types.Mapping{}
	}
	if vars, err := dotenv.GetEnvFromFile(env, envFiles); err == nil {
		maps.Copy(inner, vars)
	}
	var errs []error
	for _, p := range paths {
		errs = append(errs, w.read(p, projectDir, inner, true))
	}
	return errors.Join(errs...)
}

// includeEnvFiles are the files an include reads variables from: its
// env_file entries (relative to the including file), else the .env of its
// project directory. Each is checked and recorded.
func (w *refWalk) includeEnvFiles(e includeEntry, dir, projectDir string, env types.Mapping, field string) ([]string, error) {
	var out []string
	if len(e.envFiles) == 0 {
		path := filepath.Join(projectDir, DotEnvFile)
		if err := checkReadable(path, w.root, field+".env_file"); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		w.record(path)
		return []string{path}, nil
	}
	for _, f := range e.envFiles {
		if f == "/dev/null" {
			continue
		}
		if err := w.check(field+".env_file", dir, f, env, true); err != nil {
			return nil, err
		}
		if path, ok := interpolated(dir, f, env); ok {
			w.record(path)
			out = append(out, path)
		}
	}
	return out, nil
}

func (w *refWalk) record(path string) {
	if !slices.Contains(w.files, path) {
		w.files = append(w.files, path)
	}
}

// interpolated is path p as compose-go will open it: variables substituted
// from env, then resolved against dir. ok is false when a variable is
// required and unset, which compose-go refuses.
func interpolated(dir, p string, env types.Mapping) (string, bool) {
	out, err := template.Substitute(p, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		return "", false
	}
	return resolve(dir, out), true
}

// includeEntry is one entry of include: (short form: a path).
type includeEntry struct {
	paths      []string
	projectDir string
	envFiles   []string
	line       int
}

// includeEntries reads include: as written.
func includeEntries(n *yaml.Node) ([]includeEntry, error) {
	if n.IsZero() {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("line %d: include: must be a list of files (or of mappings with path:)", n.Line)
	}
	var out []includeEntry
	for _, item := range n.Content {
		e := includeEntry{line: item.Line}
		switch item.Kind {
		case yaml.ScalarNode:
			e.paths = []string{item.Value}
		case yaml.MappingNode:
			for i := 0; i+1 < len(item.Content); i += 2 {
				key, value := item.Content[i].Value, item.Content[i+1]
				switch key {
				case "path":
					e.paths = scalarsAt(value, "")
				case "project_directory":
					e.projectDir = value.Value
				case "env_file":
					e.envFiles = scalarsAt(value, "")
				}
			}
		default:
			return nil, fmt.Errorf("line %d: include: an entry must be a path or a mapping with path:", item.Line)
		}
		out = append(out, e)
	}
	return out, nil
}
