package render

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
)

// Options adjust a render.
type Options struct {
	// ImageOverrides replace images by container (compose service) name;
	// they win over the spec's image-overrides.
	ImageOverrides map[string]string
}

// Result is a rendered kustomize tree.
type Result struct {
	// Files maps slash-separated paths to contents.
	Files map[string][]byte
	// Overlay is the directory (in Files) to build; Base the one it
	// builds on.
	Overlay, Base string
	// Stack and DeploymentID name the deployment; Dir is its directory.
	Stack, DeploymentID, Dir string
	Warnings                 []string
	// documents are the overlay's objects as written in Files.
	documents []document
}

// Render turns a loaded deployment into a kustomize tree.
func Render(d *deployment.Deployment, o Options) (*Result, error) {
	r := newRenderer(d, o)
	r.renderAll()
	if len(r.errs) > 0 {
		return nil, errors.Join(r.errs...)
	}
	files, docs, err := r.tree()
	if err != nil {
		return nil, err
	}
	return &Result{
		Files: files, Overlay: r.overlayDir(), Base: r.baseDir(), documents: docs,
		Stack: r.stack, DeploymentID: r.n.id, Dir: r.d.Dir, Warnings: r.warnings,
	}, nil
}

type renderer struct {
	d        *deployment.Deployment
	opts     Options
	n        names
	stack    string
	ns       string
	base     []object
	overlay  []object
	warnings []string
	errs     []error
	// hostPaths maps the resolved source of a bind of the stack's own files
	// (in D) to its auto-ConfigMap's volume name.
	hostPaths map[string]string
	// hostBinds maps the resolved source of every other bind to the host
	// path it means (recorded by create: ~ expanded, relative paths
	// resolved against the stack).
	hostBinds map[string]string
	// configs are the contents of the spec's and the auto-ConfigMaps, by
	// ConfigMap (and volume) name.
	configs map[string]*configContent
	// renamedHosts match, as whole words, the compose names of services
	// whose Service name differs (web.frontend → web-frontend), so that
	// environment values of other pods reach them.
	renamedHosts []renamedHost
	// dataVolumes are the data volumes made of the compose files' data
	// directories, with the bind sources they came from.
	dataVolumes map[string]string
	// caCerts are the spec's ca-certificates, as create copied them.
	caCerts []deployment.CACert
	// aliasOwners counts the services giving themselves each alias, by
	// its Service name (see aliasTable).
	aliasOwners map[string]int
	// subdomains are the pods' domainnames, rendered as headless Services
	// once every pod is.
	subdomains []subdomainService
}

// object is one rendered object with the file it is written to.
type object struct {
	file string
	obj  any
}

func newRenderer(d *deployment.Deployment, o Options) *renderer {
	renamed, owners := aliasTable(d.Pods)
	data := map[string]string{}
	for _, c := range slices.Concat(d.Pods, d.Jobs) {
		maps.Copy(renamed, c.File.RenamedServices())
		maps.Copy(data, c.File.DataVolumes())
	}
	return &renderer{
		d: d, opts: o,
		n:            names{id: d.Record.DeploymentID, multi: len(d.Pods) > 1},
		stack:        k8sname.Label(d.StackName()),
		ns:           d.Namespace(),
		renamedHosts: hostPatterns(renamed),
		aliasOwners:  owners,
		dataVolumes:  data,
	}
}

func (r *renderer) warnf(format string, args ...any) {
	r.warnings = append(r.warnings, fmt.Sprintf(format, args...))
}

func (r *renderer) failf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf(format, args...))
}

func (r *renderer) renderAll() {
	r.checkImageOverrides()
	for _, c := range r.composes() {
		r.warnings = append(r.warnings, c.File.Notes(c.Written)...)
	}
	r.collectHostPaths()
	r.checkHostBindMounts()
	r.readConfigMaps()
	r.readCACertificates()
	for _, pod := range r.d.Pods {
		r.renderPod(pod)
	}
	for _, job := range r.d.Jobs {
		r.renderJob(job)
	}
	r.renderSubdomains()
	// depends_on is read once: it orders the workloads now, and
	// restart: true rolls dependents once their templates are final.
	deps, restarts := r.dependencies()
	r.annotateWaves(deps)
	r.renderVolumes()
	r.renderConfigMaps()
	r.renderComposeConfigs()
	r.hashConfig()
	r.restartWithDependencies(deps, restarts)
	r.renderNodePorts()
	r.renderHTTPProxy()
	r.renderExternalServices()
	r.renderCACertificates()
	r.renderNamespace()
	r.checkReservedServiceNames()
}

// reservedServices are Service names a deployment never takes: a
// Service/kubernetes in a namespace overrides KUBERNETES_SERVICE_HOST for
// every pod there, and kube-dns names the cluster's DNS.
var reservedServices = []string{"kubernetes", "kube-dns"}

// checkReservedServiceNames refuses a Service (from a service, a network
// alias or a container_name) under a reserved name.
func (r *renderer) checkReservedServiceNames() {
	for _, o := range append(slices.Clone(r.base), r.overlay...) {
		if svc, ok := o.obj.(*corev1.Service); ok && slices.Contains(reservedServices, svc.Name) {
			r.failf("the stack would make a Service named %q (from a compose service, network alias or container_name of that name); a Service of that name in a namespace changes how every pod there finds the cluster's API server or DNS: rename it in the compose file", svc.Name)
		}
	}
}

// checkImageOverrides rejects overrides for containers the stack does not
// have, listing the valid names.
func (r *renderer) checkImageOverrides() {
	valid := r.containerNames()
	for _, set := range []struct {
		from string
		m    map[string]string
	}{{"spec.yml image-overrides", r.d.Spec.ImageOverrides}, {"image override", r.opts.ImageOverrides}} {
		for _, name := range slices.Sorted(maps.Keys(set.m)) {
			if !slices.Contains(valid, name) {
				r.failf("%s: %q is not a container of this deployment; containers are: %v", set.from, name, valid)
			}
		}
	}
}

func (r *renderer) containerNames() []string {
	var out []string
	for _, c := range append(slices.Clone(r.d.Pods), r.d.Jobs...) {
		out = append(out, c.File.ServiceNames()...)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// Labels are the labels every object of a deployment carries.
func Labels(d *deployment.Deployment) map[string]string {
	return newRenderer(d, Options{}).labels()
}
