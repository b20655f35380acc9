package stack

import (
	"github.com/kubectl-stack/kubectl-stack/pkg/bindsrc"

	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"

	"go.yaml.in/yaml/v3"

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
	Ref         PodRef
	// Root is the directory the pod's files belong to: the stack layout's
	// root, the pod's repository, or a plain compose file's directory.
	// A relative bind that stays inside it is the stack's own content.
	Root string
}

// Locate finds the stack at path: a directory holding stack.yml, a stack.yml
// file, a compose file, or a directory holding a compose file.
func Locate(path string) (*Stack, error) {
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
		return composeStack(abs), nil
	}
	for _, name := range []string{"stack.yml", "stack.yaml"} {
		if f := filepath.Join(abs, name); fileExists(f) {
			return loadStackDir(abs, f)
		}
	}
	for _, name := range composeNames {
		if f := filepath.Join(abs, name); fileExists(f) {
			return composeStack(f), nil
		}
	}
	return nil, fmt.Errorf("%s holds neither stack.yml nor a compose file (%v): pass the path of a stack directory or a compose file", path, composeNames)
}

// composeStack is a one-pod stack made of a plain compose file, named after
// its directory.
func composeStack(file string) *Stack {
	dir := filepath.Dir(file)
	name := filepath.Base(dir)
	return &Stack{
		Name: name, Dir: dir, ConfigRoot: filepath.Join(dir, "config"),
		Definition: Definition{Name: name, Pods: []PodRef{{Name: name}}},
		Pods:       []Pod{{Name: name, ComposeFile: file, Ref: PodRef{Name: name}, Root: dir}},
		Warnings:   append(overrideWarnings(file), siblingWarnings(file)...),
	}
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
func siblingWarnings(file string) []string {
	var out []string
	for _, pattern := range []string{"compose.*.y*ml", "docker-compose.*.y*ml"} {
		matches, _ := filepath.Glob(filepath.Join(filepath.Dir(file), pattern))
		for _, m := range matches {
			if ext := filepath.Ext(m); m == file || slices.Contains(overrideNames, filepath.Base(m)) || ext != ".yml" && ext != ".yaml" {
				continue
			}
			out = append(out, fmt.Sprintf("%s is not read: kubectl stack deploys %s alone; if the project runs them together (docker compose -f %s -f %s, or COMPOSE_FILE), move what the deployment needs into %s or list both as pods of a stack.yml", m, filepath.Base(file), filepath.Base(file), filepath.Base(m), filepath.Base(file)))
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
	return Pod{Name: ref.Name, ComposeFile: file, Ref: ref, Root: root}, nil
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

// ComposeFiles returns every pod and job compose file.
func (s *Stack) ComposeFiles() []Pod {
	return slices.Concat(s.Pods, s.Jobs)
}

func fileExists(p string) bool {
	info, err := os.Stat(p)
	return err == nil && !info.IsDir()
}
