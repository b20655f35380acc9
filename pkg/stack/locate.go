package stack

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubectl-stack/kubectl-stack/pkg/bindsrc"
	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/yamlstrict"
)

// composeNames are the file names docker compose looks for, in its order.
var composeNames = []string{"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"}

// Stack is a located stack with its pods and jobs resolved to files.
type Stack struct {
	// Name is the stack's name for labels and the default namespace: the
	// basename of the stack directory, as laconic-so does.
	Name string
	// Dir is the absolute directory holding stack.yml, or the compose
	// file's directory for a plain compose stack.
	Dir string
	// DefinitionFile is the absolute path of stack.yml; "" for a plain
	// compose stack.
	DefinitionFile string
	Definition     Definition
	Pods           []Pod
	Jobs           []Pod
	// ConfigRoot is <root>/config, where config/<dir> lookups go.
	ConfigRoot string
	// Warnings are problems that do not stop the stack from loading.
	Warnings []string
}

// Pod is one compose file of a stack.
type Pod struct {
	Name string
	// ComposeFile is the absolute source path of the compose file.
	ComposeFile string
	// MergeFiles are the absolute paths of the files merged into it.
	MergeFiles []string
	Ref        PodRef
	// Root is the directory the pod's files belong to: the stack layout's
	// root, the pod's repository, or a plain compose file's directory.
	// A relative bind that stays inside it is the stack's own content.
	Root string
}

// Locate finds the stack at path: a directory holding stack.yml, a stack.yml
// file, a compose file, or a directory holding a compose file, or the
// files COMPOSE_FILE names there (in env, the spec's config, or the
// directory's .env), as docker compose run in that directory reads them.
func Locate(path string, env map[string]string) (*Stack, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(abs)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("stack %q not found: pass the path of a stack directory (holding stack.yml) or of a compose file", path)
	}
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		if base := filepath.Base(abs); base == "stack.yml" || base == "stack.yaml" {
			return loadStackDir(filepath.Dir(abs), abs)
		}
		return explicitComposeStack(abs, env)
	}
	for _, name := range []string{"stack.yml", "stack.yaml"} {
		if f := filepath.Join(abs, name); fileExists(f) {
			return loadStackDir(abs, f)
		}
	}
	files, from, err := compose.ProjectFiles(abs, abs, env)
	if err != nil {
		return nil, fmt.Errorf("reading the compose files of %s: %w", path, err)
	}
	if len(files) > 0 {
		return projectStack(abs, files, from)
	}
	for _, name := range composeNames {
		if f := filepath.Join(abs, name); fileExists(f) {
			return composeStack(f), nil
		}
	}
	return nil, fmt.Errorf("%s holds neither stack.yml nor a compose file (%v): pass the path of a stack directory or a compose file", path, composeNames)
}

// composeStack is a one-pod stack made of a plain compose file (and the
// files merged into it), named after its directory.
func composeStack(file string, merged ...string) *Stack {
	dir := filepath.Dir(file)
	name := filepath.Base(dir)
	ref := PodRef{Name: name}
	for _, m := range merged {
		rel, _ := filepath.Rel(dir, m)
		ref.MergeFiles = append(ref.MergeFiles, filepath.ToSlash(rel))
	}
	return &Stack{
		Name: name, Dir: dir, ConfigRoot: filepath.Join(dir, "config"),
		Definition: Definition{Name: name, Pods: []PodRef{ref}},
		Pods:       []Pod{{Name: name, ComposeFile: file, MergeFiles: merged, Ref: ref, Root: dir}},
		Warnings:   append(overrideWarnings(file), siblingWarnings(append([]string{file}, merged...))...),
	}
}

// explicitComposeStack is the stack of a compose file named alone, which
// docker compose -f file reads alone even when COMPOSE_FILE names more:
// say so, since the project is then missing its other files.
func explicitComposeStack(file string, env map[string]string) (*Stack, error) {
	s := composeStack(file)
	files, from, err := compose.ProjectFiles(s.Dir, s.Dir, env)
	if err != nil {
		return nil, fmt.Errorf("reading the compose files of %s: %w", s.Dir, err)
	}
	if len(files) > 1 || len(files) == 1 && files[0] != file {
		s.Warnings = append(s.Warnings, fmt.Sprintf("%s names %s, but the stack is %s alone, as docker compose -f %s reads it: set stack: to the directory %s to deploy the project as docker compose run there does", from, strings.Join(files, ", "), file, filepath.Base(file), s.Dir))
	}
	return s, nil
}

// projectStack is the stack of the files COMPOSE_FILE names in dir: one
// pod, the first file with the others merged into it. Each must exist, in
// dir (COMPOSE_FILE=/etc/passwd would make /etc the stack).
func projectStack(dir string, files []string, from string) (*Stack, error) {
	var errs []error
	for _, f := range files {
		if !bindsrc.Inside(f, dir) {
			return nil, fmt.Errorf("%s names %s, which lies outside the project directory %s once its links are followed; files outside a stack are never read: move it into %s", from, f, dir, dir)
		}
		if !fileExists(f) {
			errs = append(errs, fmt.Errorf("%s names %s, which does not exist; correct %s or create the file", from, f, compose.FilesVariable))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return composeStack(files[0], files[1:]...), nil
}

// overrideNames are the override files docker compose merges into the
// compose file it finds when no -f is given.
var overrideNames = []string{"compose.override.yaml", "compose.override.yml", "docker-compose.override.yaml", "docker-compose.override.yml"}

// overrideWarnings says that an override file beside the compose file is
// not merged: docker compose would merge it, and it usually holds settings
// for development (debug ports, live-code binds) rather than deployment.
func overrideWarnings(file string) []string {
	var out []string
	for _, name := range overrideNames {
		if o := filepath.Join(filepath.Dir(file), name); fileExists(o) {
			out = append(out, fmt.Sprintf("%s is not merged into %s, as docker compose would merge it without -f: kubectl stack deploys %s alone; move what the deployment needs into it", o, filepath.Base(file), filepath.Base(file)))
		}
	}
	return out
}

// siblingWarnings names the other compose files beside a plain compose
// file (compose.prod.yml, docker-compose.db.yaml) that are not read:
// projects split themselves into files they run together with several -f
// (or COMPOSE_FILE), and their services would otherwise go missing
// without a word. Override files have their own warning.
func siblingWarnings(read []string) []string {
	var out []string
	file := read[0]
	for _, pattern := range []string{"compose.*.y*ml", "docker-compose.*.y*ml"} {
		matches, _ := filepath.Glob(filepath.Join(filepath.Dir(file), pattern))
		for _, m := range matches {
			if ext := filepath.Ext(m); slices.Contains(read, m) || slices.Contains(overrideNames, filepath.Base(m)) || ext != ".yml" && ext != ".yaml" {
				continue
			}
			out = append(out, fmt.Sprintf("%s is not read: kubectl stack deploys %s without it; if the project runs them together (docker compose -f %s -f %s), set COMPOSE_FILE=%s:%s in %s or under config: in spec.yml (kubectl stack init --stack %s --stack %s), and stack: to the directory", m, filepath.Base(file), filepath.Base(file), filepath.Base(m), filepath.Base(file), filepath.Base(m), filepath.Join(filepath.Dir(file), ".env"), filepath.Base(file), filepath.Base(m)))
		}
	}
	return out
}

func loadStackDir(dir, file string) (*Stack, error) {
	// Bounded and inside the stack: a stack.yml linked to /dev/zero or to
	// a file outside would hang the read or read the host.
	data, err := bindsrc.ReadFile(file, dir, bindsrc.ReadLimit)
	if err != nil {
		return nil, fmt.Errorf("reading stack definition: %w", err)
	}
	def, warnings, err := parseDefinition(file, data)
	if err != nil {
		return nil, err
	}
	// laconic-so's external layout: <root>/stacks/<name>/stack.yml with
	// <root>/compose, <root>/compose-jobs and <root>/config.
	root := filepath.Dir(filepath.Dir(dir))
	s := &Stack{
		Name: filepath.Base(dir), Dir: dir, DefinitionFile: file, Definition: *def,
		ConfigRoot: filepath.Join(root, "config"), Warnings: warnings,
	}
	var errs []error
	for _, ref := range def.Pods {
		p, err := resolvePod(root, "compose", ref, file)
		errs = append(errs, err)
		s.Pods = append(s.Pods, p)
	}
	for _, ref := range def.Jobs {
		p, err := resolvePod(root, "compose-jobs", ref, file)
		errs = append(errs, err)
		s.Jobs = append(s.Jobs, p)
	}
	if len(def.Pods) == 0 {
		errs = append(errs, fmt.Errorf("%s: pods: the stack lists no pods; add at least one (compose/docker-compose-<pod>.yml)", file))
	}
	return s, errors.Join(errs...)
}

// parseDefinition decodes stack.yml. Unknown keys are warnings, not errors:
// stack.yml belongs to the stack's authors, and laconic-so ignores extra keys.
func parseDefinition(file string, data []byte) (*Definition, []string, error) {
	def := &Definition{}
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&root); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(root.Content) == 0 {
		return def, nil, nil
	}
	var warnings []string
	for _, e := range yamlstrict.UnknownKeys(file, root.Content[0], reflect.TypeOf(def).Elem()) {
		warnings = append(warnings, e.Error()+" (ignored)")
	}
	if err := root.Content[0].Decode(def); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	return def, warnings, nil
}

func resolvePod(root, sub string, ref PodRef, stackFile string) (Pod, error) {
	file := filepath.Join(root, sub, "docker-compose-"+ref.Name+".yml")
	if ref.Repository != "" {
		// Multi-repository pods: <repo base>/<repo basename>/<path>/docker-compose.yml.
		repo := filepath.Join(RepoBaseDir(), filepath.Base(ref.Repository))
		file, root = filepath.Join(repo, ref.Path, "docker-compose.yml"), repo
		if !fileExists(file) {
			return Pod{Name: ref.Name, Ref: ref}, fmt.Errorf("%s: %s %q: compose file %s does not exist: the pod lives in the repository %s, which is not checked out there; clone it into %s (set CERC_REPO_BASE_DIR to use another base directory than %s)",
				stackFile, sub, ref.Name, file, ref.Repository, repo, RepoBaseDir())
		}
	}
	if !fileExists(file) {
		return Pod{Name: ref.Name, Ref: ref}, fmt.Errorf("%s: %s %q: compose file %s does not exist; create it or remove %q from the stack", stackFile, sub, ref.Name, file, ref.Name)
	}
	var merged []string
	for _, m := range ref.MergeFiles {
		path := filepath.Join(filepath.Dir(file), m)
		if !fileExists(path) {
			return Pod{Name: ref.Name, Ref: ref}, fmt.Errorf("%s: %s %q: merge-files: %s does not exist; create it or remove it from merge-files", stackFile, sub, ref.Name, path)
		}
		merged = append(merged, path)
	}
	return Pod{Name: ref.Name, ComposeFile: file, MergeFiles: merged, Ref: ref, Root: root}, nil
}

// RepoBaseDir is where multi-repository pods are cloned: $CERC_REPO_BASE_DIR,
// default ~/cerc (as laconic-so).
func RepoBaseDir() string {
	if d := os.Getenv("CERC_REPO_BASE_DIR"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, "cerc")
}

// Files are the pod's compose files: its own, then those merged into it.
func (p Pod) Files() []string {
	return append([]string{p.ComposeFile}, p.MergeFiles...)
}

// ComposeFiles returns every pod and job compose file.
func (s *Stack) ComposeFiles() []Pod {
	return slices.Concat(s.Pods, s.Jobs)
}

func fileExists(p string) bool {
	info, err := os.Stat(p)
	return err == nil && !info.IsDir()
}
