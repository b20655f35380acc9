package deployment

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
	"github.com/kubectl-stack/kubectl-stack/pkg/stack"
	"github.com/kubectl-stack/kubectl-stack/pkg/yamlstrict"
)

// Deployment is a loaded deployment directory. Everything comes from the
// directory itself; the stack source is not consulted.
type Deployment struct {
	Dir        string
	Record     *Record
	Spec       *spec.Spec
	Definition stack.Definition
	Pods       []Compose
	Jobs       []Compose
	// HostPaths are the host paths create recorded for the binds.
	HostPaths []HostPath
	// Builds are the images the stack builds.
	Builds []Build
}

// Compose is one pod or job compose file of a deployment.
type Compose struct {
	// Name is the pod's (or job's) Kubernetes name, k8sname's mapping of
	// Written.
	Name string
	// Written is the name as stack.yml writes it (and the compose file's
	// name in D: docker-compose-<Written>.yml).
	Written string
	// Shown is the pod's name as the user writes it: Written, or, for a
	// pod of one service (pod-per-service), that service's compose name.
	Shown string
	File  *compose.File
	// Wait, for a Job: deploy waits for it to complete, as for a stack's
	// jobs and a service another waits to complete. A service that runs
	// once by its restart policy alone is started and not waited for, as
	// docker compose up does not wait for it.
	Wait bool
}

// ResolveDir returns the deployment directory for a verb: the -d flag's
// value, else the current directory when it holds deployment.yml.
func ResolveDir(flag string) (string, error) {
	if flag != "" {
		return filepath.Abs(flag)
	}
	cwd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(cwd, DeploymentFile)); err != nil {
		return "", &NoDeploymentHereError{Dir: cwd}
	}
	return cwd, nil
}

// Load reads a deployment directory written by kubectl-stack or laconic-so.
func Load(ctx context.Context, dir string) (*Deployment, error) {
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return nil, fmt.Errorf("deployment directory %s does not exist; create it with kubectl stack create", dir)
	}
	if err := checkNoUpdatePending(dir); err != nil {
		return nil, err
	}
	rec, err := ReadRecord(dir)
	if err != nil {
		return nil, err
	}
	s, err := spec.Load(filepath.Join(dir, SpecFile))
	if err != nil {
		return nil, err
	}
	if errs := spec.Validate(filepath.Join(dir, SpecFile), s); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	d := &Deployment{Dir: dir, Record: rec, Spec: s}
	if d.HostPaths, err = ReadHostPaths(dir); err != nil {
		return nil, err
	}
	if d.Builds, err = ReadBuilds(dir); err != nil {
		return nil, err
	}
	stackPath := filepath.Join(dir, StackFile)
	data, err := os.ReadFile(stackPath)
	if err != nil {
		return nil, fmt.Errorf("reading stack definition: %w", err)
	}
	// stack.yml belongs to the stack's authors and may carry keys this
	// version does not know; only its pods and jobs matter here.
	if err := yamlstrict.DecodeLenient(data, &d.Definition); err != nil {
		return nil, fmt.Errorf("%s: %w", stackPath, err)
	}
	d.Pods, err = loadComposes(ctx, dir, ComposeDir, d.Definition.Pods, s.Config)
	if err != nil {
		return nil, err
	}
	d.Jobs, err = loadComposes(ctx, dir, JobsDir, d.Definition.Jobs, s.Config)
	if err != nil {
		return nil, err
	}
	for i := range d.Jobs {
		d.Jobs[i].Wait = true
	}
	var oneShot []Compose
	if s.PodPerService {
		d.Pods, oneShot = PodPerService(d.Pods)
	} else {
		d.Pods, oneShot = RunOncePods(d.Pods)
	}
	d.Jobs = append(d.Jobs, oneShot...)
	return d, nil
}

func loadComposes(ctx context.Context, dir, sub string, refs []stack.PodRef, env map[string]string) ([]Compose, error) {
	var out []Compose
	var errs []error
	for _, ref := range refs {
		files := []string{filepath.Join(dir, sub, "docker-compose-"+ref.Name+".yml")}
		for _, m := range ref.MergeFiles {
			files = append(files, filepath.Join(dir, sub, filepath.FromSlash(m)))
		}
		f, err := compose.LoadFiles(ctx, files, dir, env)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, Compose{Name: k8sname.Label(ref.Name), Written: ref.Name, Shown: ref.Name, File: f})
	}
	return out, errors.Join(errs...)
}

// KindCluster is the kind cluster the deployment joins: the spec's
// kind-cluster-name, else the cluster-id create recorded.
func (d *Deployment) KindCluster() string {
	if d.Spec.KindClusterName != "" {
		return d.Spec.KindClusterName
	}
	return d.Record.ClusterID
}

// KindContext is the kubeconfig context of that cluster.
func (d *Deployment) KindContext() string { return "kind-" + d.KindCluster() }

// Namespace is the deployment's namespace: the spec's, else laconic-<stack>.
func (d *Deployment) Namespace() string {
	if d.Spec.Namespace != "" {
		return d.Spec.Namespace
	}
	return spec.DefaultNamespace(d.StackName())
}

// StackName is the stack's name for labels and the default namespace: the
// name create recorded (a compose project's own name), else the basename of
// the spec's stack: path (laconic-so's rule), or, when that path is a
// compose file, of the directory holding it.
func (d *Deployment) StackName() string {
	if d.Record != nil && d.Record.StackName != "" {
		return d.Record.StackName
	}
	return stackNameOf(d.Spec.Stack)
}

// stackNameOf is laconic-so's name for the stack at ref.
func stackNameOf(ref string) string {
	name := filepath.Base(ref)
	if ext := filepath.Ext(name); ext == ".yml" || ext == ".yaml" {
		name = filepath.Base(filepath.Dir(ref))
	}
	return name
}

// ComposeSecrets are the compose secrets the deployment's services mount,
// each once, in the order met: render names their Secrets, deploy makes
// them.
func (d *Deployment) ComposeSecrets() []compose.FileObject {
	var out []compose.FileObject
	for _, c := range slices.Concat(d.Pods, d.Jobs) {
		for _, s := range c.File.SecretObjects() {
			if !slices.ContainsFunc(out, func(o compose.FileObject) bool { return o.Name == s.Name }) {
				out = append(out, s)
			}
		}
	}
	return out
}
