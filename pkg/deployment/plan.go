package deployment

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
	"github.com/kubectl-stack/kubectl-stack/pkg/stack"
)

// Plan is everything a deployment directory will hold, computed and
// validated before anything is written.
type Plan struct {
	// Dir is the absolute deployment directory.
	Dir   string
	Spec  *spec.Spec
	Stack *stack.Stack
	// Files maps a slash-separated path relative to Dir to its content.
	Files map[string]File
	// Dirs are directories to create even when empty (data/, configmaps/).
	Dirs     []string
	Warnings []string
	// HostPaths are the binds of host paths (HostPathsFile).
	HostPaths []HostPath
	// Builds are the images the stack builds (BuildsFile).
	Builds []Build
}

// File is one planned file.
type File struct {
	Data []byte
	Mode fs.FileMode
}

// Inputs is what a plan is built from.
type Inputs struct {
	SpecPath string
	Dir      string
	// DeploymentID is needed for per-deployment kind mount points.
	DeploymentID string
}

// BuildPlan loads the spec and the stack, validates them together and
// computes the deployment directory's content. All problems are returned
// at once.
func BuildPlan(ctx context.Context, in Inputs) (*Plan, error) {
	specData, err := os.ReadFile(in.SpecPath)
	if err != nil {
		return nil, fmt.Errorf("reading spec: %w", err)
	}
	s, err := spec.Parse(in.SpecPath, specData)
	if err != nil {
		return nil, err
	}
	errs := spec.Validate(in.SpecPath, s)
	st, err := locateStack(in.SpecPath, s.Stack, s.Config)
	if err != nil {
		return nil, errors.Join(append(errs, err)...)
	}
	p := &Plan{Dir: in.Dir, Spec: s, Stack: st, Files: map[string]File{}, Warnings: st.Warnings}
	b := &builder{plan: p, specPath: in.SpecPath, id: in.DeploymentID, errs: errs}
	b.loadComposeFiles(ctx)
	nameComposeProject(st, b.composes)
	b.checkAll()
	if len(b.errs) > 0 {
		return nil, errors.Join(b.errs...)
	}
	b.addFiles(specData)
	if len(b.errs) > 0 {
		return nil, errors.Join(b.errs...)
	}
	sort.Strings(p.Dirs)
	return p, nil
}

// locateStack resolves the spec's stack: relative to the current directory
// first (laconic-so's rule), then relative to the spec file, so a spec in an
// operator repository can point at a stack beside it.
func locateStack(specPath, ref string, config map[string]string) (*stack.Stack, error) {
	if ref == "" {
		return nil, fmt.Errorf("%s: stack: is required", specPath)
	}
	candidates := []string{spec.ExpandHome(ref)}
	if !filepath.IsAbs(candidates[0]) {
		candidates = append(candidates, filepath.Join(filepath.Dir(specPath), ref))
	}
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return stack.Locate(c, config)
		}
	}
	return nil, fmt.Errorf("%s: stack: %q not found (looked in %s); set stack: to the path of the stack directory or compose file",
		specPath, ref, strings.Join(candidates, " and "))
}

type builder struct {
	plan     *Plan
	specPath string
	id       string
	composes []loadedPod
	errs     []error
}

type loadedPod struct {
	pod   stack.Pod
	isJob bool
	file  *compose.File
}

func (b *builder) fail(format string, args ...any) {
	b.errs = append(b.errs, fmt.Errorf(format, args...))
}

func (b *builder) loadComposeFiles(ctx context.Context) {
	for _, set := range []struct {
		pods  []stack.Pod
		isJob bool
	}{{b.plan.Stack.Pods, false}, {b.plan.Stack.Jobs, true}} {
		for _, pod := range set.pods {
			if pod.ComposeFile == "" {
				continue // already reported by the stack
			}
			f, err := compose.LoadFiles(ctx, pod.Files(), pod.Root, b.plan.Spec.Config)
			if err != nil {
				b.errs = append(b.errs, err)
				continue
			}
			b.composes = append(b.composes, loadedPod{pod: pod, isJob: set.isJob, file: f})
			b.plan.Warnings = append(b.plan.Warnings, f.Notes(pod.Name)...)
		}
	}
}

func sha(data []byte) string {
	return fmt.Sprintf("%x", sha256.Sum256(data))
}

// nameComposeProject names a plain compose stack as docker compose names
// its project: the file's name:, then COMPOSE_PROJECT_NAME, else the
// directory (stack.Locate's name). A stack.yml names its own stack.
func nameComposeProject(st *stack.Stack, composes []loadedPod) {
	if st.DefinitionFile != "" || len(composes) != 1 {
		return
	}
	if name := composes[0].file.DeclaredName(); name != "" {
		st.Name, st.Definition.Name = name, name
	}
}
