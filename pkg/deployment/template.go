package deployment

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/gitrepo"
	"github.com/kubectl-stack/kubectl-stack/pkg/hooks"
	"github.com/kubectl-stack/kubectl-stack/pkg/ingress"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
	"github.com/kubectl-stack/kubectl-stack/pkg/stack"
	"github.com/kubectl-stack/kubectl-stack/pkg/yamlstrict"
)

// Port mapping recipes of init --map-ports-to-host (laconic-so's names).
var PortRecipes = []string{"any-variable-random", "localhost-same", "any-same", "localhost-fixed-random", "any-fixed-random"}

// TemplateOptions are the inputs of SpecTemplate.
type TemplateOptions struct {
	// StackRef locates the stack (relative to the current directory).
	StackRef string
	// StackWritten is the spec's stack: value ("" writes StackRef).
	StackWritten string
	DeployTo     string
	Config       map[string]string
	// PortRecipe is one of PortRecipes; "" means any-variable-random.
	PortRecipe string
	// Rand picks fixed random host ports; nil uses a random source.
	Rand *rand.Rand
	// AllowHooks records the digests of the stack's hooks, so that they
	// run; without it they are listed commented out.
	AllowHooks bool
}

// SpecTemplate writes a commented spec.yml for a stack: ports from its
// compose files, named volumes (empty: PVCs), read-only volumes named like
// config as configmaps, the default namespace, and commented examples. It
// also returns the stack's hooks, which the spec lists, for init to show.
func SpecTemplate(ctx context.Context, o TemplateOptions) (data []byte, stackHooks []hooks.Hook, err error) {
	st, err := stack.Locate(spec.ExpandHome(o.StackRef), o.Config)
	if err != nil {
		return nil, nil, err
	}
	t := &template{opts: o, ports: map[string][]string{}, portNotes: map[string][]string{}}
	if t.opts.Rand == nil {
		t.opts.Rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	var errs []error
	var loaded []loadedPod
	for _, pod := range st.ComposeFiles() {
		f, err := compose.LoadFiles(ctx, pod.Files(), pod.Root, o.Config)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		loaded = append(loaded, loadedPod{pod: pod, file: f})
		errs = append(errs, t.collect(f)...)
	}
	nameComposeProject(st, loaded)
	hookFiles, err := hooks.StackHooks(st.Dir)
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	t.hooks = hookFiles
	data, err = t.render(st)
	return data, hookFiles, err
}

type template struct {
	opts       TemplateOptions
	ports      map[string][]string
	portNotes  map[string][]string
	volumes    []string
	configMaps []string
	hooks      []hooks.Hook
	// sharedPort says which services of one compose file share a
	// container port ("" when none do): they cannot be one pod.
	sharedPort string
}

func (t *template) collect(f *compose.File) []error {
	var errs []error
	if clashes := portClashes(f, f.ServiceNames()); len(clashes) > 0 && t.sharedPort == "" {
		c := clashes[0]
		t.sharedPort = fmt.Sprintf("%s: services %s and %s both listen on %s", filepath.Base(f.Path), f.ServiceName(c.first), f.ServiceName(c.second), c.port)
	}
	for _, svc := range f.ServiceNames() {
		for _, p := range f.Project.Services[svc].Ports {
			if compose.LoopbackOnly(p) && t.compatRecipe() {
				// Local only in docker compose: a NodePort would open it
				// on every node. The service is still listed (with an
				// empty list if this is its only port), since a service
				// the spec does not list keeps compose's ports.
				if _, listed := t.ports[svc]; !listed {
					t.ports[svc] = nil
				}
				t.portNotes[svc] = append(t.portNotes[svc], fmt.Sprintf("compose binds %s to a loopback address (local only), so it is not published", compose.PortString(p)))
				continue
			}
			port, note, err := t.mapPort(p)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: service %s: %w", f.Path, svc, err))
				continue
			}
			t.ports[svc] = append(t.ports[svc], port)
			if note != "" {
				t.portNotes[svc] = append(t.portNotes[svc], note)
			}
		}
	}
	for _, v := range f.NamedVolumes() {
		if v.ReadOnly && strings.Contains(v.Name, "config") {
			t.configMaps = appendUnique(t.configMaps, v.Name)
		} else {
			t.volumes = appendUnique(t.volumes, v.Name)
		}
	}
	return errs
}

// compatRecipe reports whether ports follow compose's own mapping (the
// default recipe) rather than a recipe the user chose for every port.
func (t *template) compatRecipe() bool {
	return t.opts.PortRecipe == "" || t.opts.PortRecipe == "any-variable-random"
}

// mapPort applies the port recipe. Host ports become NodePorts, so a compose
// host port outside 30000-32767 is written as the container port only, with
// a note saying so.
func (t *template) mapPort(p compose.Port) (string, string, error) {
	target, proto := fmt.Sprint(p.Target), ""
	if p.Protocol != "" && p.Protocol != "tcp" {
		proto = "/" + p.Protocol
	}
	random := func() string {
		return fmt.Sprint(spec.NodePortMin + t.opts.Rand.IntN(spec.NodePortMax-spec.NodePortMin+1))
	}
	switch t.opts.PortRecipe {
	case "", "any-variable-random":
		full := compose.PortString(p)
		if spec.CheckPort(full) != nil {
			return target + proto, fmt.Sprintf("compose publishes %s; host ports must be NodePorts (%d-%d)", full, spec.NodePortMin, spec.NodePortMax), nil
		}
		return full, "", nil
	case "localhost-same", "any-same":
		if spec.CheckPort(target+":"+target) != nil {
			return "", "", fmt.Errorf("the port recipe %s would publish port %s on the host, outside the NodePort range %d-%d; use localhost-fixed-random or any-fixed-random", t.opts.PortRecipe, target, spec.NodePortMin, spec.NodePortMax)
		}
		return hostIP(t.opts.PortRecipe) + target + ":" + target + proto, "", nil
	case "localhost-fixed-random", "any-fixed-random":
		return hostIP(t.opts.PortRecipe) + random() + ":" + target + proto, "", nil
	}
	return "", "", fmt.Errorf("the port recipe %q is none of %v", t.opts.PortRecipe, PortRecipes)
}

func hostIP(recipe string) string {
	if strings.HasPrefix(recipe, "localhost") {
		return "127.0.0.1:"
	}
	return ""
}

func appendUnique(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

func (t *template) render(st *stack.Stack) ([]byte, error) {
	w := &lineWriter{}
	w.line("# spec.yml for the stack %q, written by kubectl stack init.", st.Name)
	w.line("# Run init once: edit this file and commit it to your operator repository.")
	w.line("# Deploy from it with kubectl stack create; regenerating it discards your edits.")
	w.kv(0, "stack", cmp.Or(t.opts.StackWritten, t.opts.StackRef))
	w.kv(0, "deploy-to", t.opts.DeployTo)
	w.line("# Every object goes to this namespace; give a second deployment of the same stack its own.")
	w.kv(0, "namespace", spec.DefaultNamespace(st.Name))
	t.renderPodPerService(w, st)
	t.renderConfig(w)
	t.renderNetwork(w)
	t.renderVolumes(w)
	t.renderHooks(w)
	w.line("# Secrets (existing in the namespace) offered to every container as environment: name: [keys]")
	w.line("secrets: {}")
	t.renderExamples(w)
	return []byte(w.String()), nil
}

// renderHooks records the digests of the stack's hooks that run for an
// event (create, start) when the operator allowed them at init, else
// lists them commented out: a hook is code from the stack that runs on the
// operator's machine, so it runs only once someone has read it.
func (t *template) renderHooks(w *lineWriter) {
	var events []hooks.Hook
	for _, h := range t.hooks {
		if slices.Contains(spec.HookEvents, h.Name) {
			events = append(events, h)
		}
	}
	if len(events) == 0 {
		return
	}
	w.line("# The stack's hooks (deploy/hooks) run only while their digests are recorded here;")
	w.line("# a hook changed by a git pull does not run until its new digest is recorded.")
	prefix := ""
	if !t.opts.AllowHooks {
		w.line("# Read each hook, then uncomment to allow it (or pass --allow-hooks to init):")
		prefix = "# "
	}
	w.line("%shooks:", prefix)
	for _, h := range events {
		w.line("%s  %s: %s", prefix, h.Name, h.Digest)
	}
}

// renderPodPerService turns pod-per-service on for a plain compose project:
// its services expect their own containers, as docker compose gives them
// (each may listen on 80). A laconic-so stack's compose files are pods
// whose services share localhost by design, so it stays off there, unless
// two services of one file listen on one port: they cannot share a pod,
// and docker compose runs them apart.
func (t *template) renderPodPerService(w *lineWriter, st *stack.Stack) {
	if st.DefinitionFile != "" && t.sharedPort == "" {
		return
	}
	if st.DefinitionFile != "" {
		w.line("# %s, so they cannot share a pod:", t.sharedPort)
		w.line("# each compose service runs in its own pod, as docker compose runs them.")
		w.line("pod-per-service: true")
		return
	}
	w.line("# Each compose service runs in its own pod, as docker compose runs each in its")
	w.line("# own container (false: one pod for the compose file, whose services share localhost).")
	w.line("pod-per-service: true")
}

func (t *template) renderConfig(w *lineWriter) {
	if len(t.opts.Config) == 0 {
		w.line("# Environment for every container: NAME: value")
		w.line("config: {}")
		return
	}
	w.line("config:")
	for _, k := range slices.Sorted(maps.Keys(t.opts.Config)) {
		w.kv(1, k, t.opts.Config[k])
	}
}

func (t *template) renderNetwork(w *lineWriter) {
	w.line("network:")
	if len(t.ports) == 0 {
		w.line("  ports: {}")
	} else {
		w.line("  # Ports per compose service; a host port (30000-32767) becomes a fixed NodePort.")
		w.line("  ports:")
		for _, svc := range slices.Sorted(maps.Keys(t.ports)) {
			if len(t.ports[svc]) == 0 {
				for _, note := range t.portNotes[svc] {
					w.line("    # %s", note)
				}
				w.line("    %s: []", yamlKey(svc))
				continue
			}
			w.line("    %s:", yamlKey(svc))
			for _, note := range t.portNotes[svc] {
				w.line("      # %s", note)
			}
			for _, p := range t.ports[svc] {
				w.line("      - %s", yamlScalar(p))
			}
		}
	}
	w.line("  # http-proxy:")
	w.line("  #   - host-name: app.example.com")
	w.line("  #     routes:")
	w.line("  #       - path: /")
	w.line("  #         proxy-to: web:80")
}

func (t *template) renderVolumes(w *lineWriter) {
	w.line("# Named volumes. Empty: a PVC on the default storage class (on kind its data")
	w.line("# lives inside the node and is lost when the cluster is deleted). A path")
	w.line("# (./data/<name> in the deployment directory, or an absolute path) keeps the")
	w.line("# data on the host across stop and cluster recreation.")
	if len(t.volumes) == 0 {
		w.line("volumes: {}")
	} else {
		w.line("volumes:")
		for _, v := range t.volumes {
			w.line("  %s:", yamlKey(v))
		}
	}
	if len(t.configMaps) == 0 {
		w.line("configmaps: {}")
		return
	}
	w.line("# Read-only volumes filled from files in the deployment directory.")
	w.line("configmaps:")
	for _, c := range t.configMaps {
		w.kv(1, c, "./configmaps/"+c)
	}
}

func (t *template) renderExamples(w *lineWriter) {
	w.line("# One umbrella mount for every stack on the kind cluster (kind-mount-root -> /mnt);")
	w.line("# keep volume host paths under it so new stacks need no cluster recreation.")
	w.line("# kind-mount-root: /srv/kind")
	w.line("# Private registry: the token is read from the variable at deploy time and never stored.")
	w.line("# registry-credentials:")
	w.line("#   server: ghcr.io")
	w.line("#   username: my-org")
	w.line("#   token-env: REGISTRY_TOKEN")
	w.line("# The ingress controller deploy installs on kind to serve http-proxy routes")
	w.line("# (a Traefik v3 image; caddy-ingress-image is used only if it names one):")
	w.line("# ingress-controller-image: %s", ingress.DefaultImage)
	w.line("# Replace a service's image:")
	w.line("# image-overrides:")
	w.line("#   web: ghcr.io/my-org/web:v1.2.3")
}

type lineWriter struct {
	strings.Builder
}

func (w *lineWriter) line(format string, args ...any) {
	fmt.Fprintf(&w.Builder, format+"\n", args...)
}

func (w *lineWriter) kv(indent int, k, v string) {
	w.line("%s%s: %s", strings.Repeat("  ", indent), yamlKey(k), yamlScalar(v))
}

// yamlScalar writes a string as a YAML scalar, quoted only when needed.
func yamlScalar(v string) string {
	out, err := yamlstrict.Encode(v)
	if err != nil {
		return fmt.Sprintf("%q", v)
	}
	return strings.TrimSuffix(string(out), "\n")
}

func yamlKey(k string) string { return yamlScalar(k) }

// StackRefFor is the stack: value a spec at specPath should hold for the
// stack at ref (ref relative to the current directory), and how it is
// meant: relative to the spec's directory when the two share a git
// checkout or the stack lies below the spec's directory, so the spec
// works from any directory and on any clone; absolute otherwise.
func StackRefFor(ctx context.Context, ref, specPath string) (string, string) {
	stackAbs, err1 := filepath.Abs(spec.ExpandHome(ref))
	specDir, err2 := filepath.Abs(filepath.Dir(specPath))
	if err1 != nil || err2 != nil {
		return ref, "as given"
	}
	rel, err := filepath.Rel(specDir, stackAbs)
	if err != nil {
		return stackAbs, "absolute"
	}
	if !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel), "relative to the spec's directory"
	}
	stackRepo, ok1 := gitrepo.Describe(ctx, stackAbs)
	specRepo, ok2 := gitrepo.Describe(ctx, specDir)
	if ok1 && ok2 && stackRepo.Root == specRepo.Root {
		return filepath.ToSlash(rel), "relative to the spec's directory, in the same git checkout"
	}
	return stackAbs, "absolute: the stack is outside the spec's directory and its git checkout"
}
