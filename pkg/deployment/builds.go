package deployment

import (
	"cmp"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kubectl-stack/kubectl-stack/pkg/bindsrc"
	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// BuildsFile records, in D, the services that build their image: where
// the build context is and which image the build produces.
const BuildsFile = "builds.yml"

// Build is one service's image build.
type Build struct {
	// Pod and Service are the names as stack.yml and the compose file
	// write them.
	Pod     string `yaml:"pod"`
	Service string `yaml:"service"`
	// Context is the absolute build context directory.
	Context    string            `yaml:"context"`
	Dockerfile string            `yaml:"dockerfile,omitempty"`
	Target     string            `yaml:"target,omitempty"`
	Args       map[string]string `yaml:"args,omitempty"`
	// Image is what the build is tagged and the pods run: the service's
	// image: when set, else docker compose's <project>-<service> with a
	// tag from the context's content, so that a changed context rolls the
	// pods.
	Image string `yaml:"image"`
}

type buildsDoc struct {
	Builds []Build `yaml:"builds"`
}

// ReadBuilds reads D/builds.yml; none when it does not exist.
func ReadBuilds(dir string) ([]Build, error) {
	doc, err := readRecordFile[buildsDoc](dir, BuildsFile)
	return doc.Builds, err
}

// BuildImage returns the image a pod's service builds, if it builds one.
func BuildImage(builds []Build, pod, service string) (string, bool) {
	for _, b := range builds {
		if b.Pod == pod && b.Service == service {
			return b.Image, true
		}
	}
	return "", false
}

// checkBuilds records the build of every service with build: whose image
// is not overridden in the spec, and refuses what cannot be built here.
func (b *builder) checkBuilds(lp loadedPod) {
	for _, cb := range lp.file.Builds() {
		if _, overridden := b.plan.Spec.ImageOverrides[cb.Service]; overridden {
			continue
		}
		where := fmt.Sprintf("%s: pod %s, service %s: build", lp.pod.ComposeFile, lp.pod.Name, lp.file.ServiceName(cb.Service))
		if rec, ok := b.buildRecord(lp, cb, where); ok {
			b.plan.Builds = append(b.plan.Builds, rec)
		}
	}
}

func (b *builder) buildRecord(lp loadedPod, cb compose.Build, where string) (Build, bool) {
	switch {
	case strings.Contains(cb.Context, "://") || strings.HasPrefix(cb.Context, "git@"):
		b.fail("%s: the context %s is remote; kubectl stack builds local directories only: clone it into the stack and point context: at it, or build and push the image yourself and set image-overrides.%s", where, cb.Context, cb.Service)
		return Build{}, false
	case cb.DockerfileInline != "":
		b.fail("%s: dockerfile_inline is not supported; write the Dockerfile into the context and name it with dockerfile:", where)
		return Build{}, false
	case len(cb.Secrets) > 0:
		b.warn("%s: build secrets %v are not passed (the Engine API's classic builder has no secrets); build the image yourself if it needs them", where, cb.Secrets)
	}
	if info, err := os.Stat(cb.Context); err != nil || !info.IsDir() {
		b.fail("%s: the context %s is not a directory; create it or check out the repository it belongs to there (%s)", where, cb.Context, "CERC_REPO_BASE_DIR for laconic-so stacks")
		return Build{}, false
	}
	if !b.checkContextPlace(lp, cb, where) {
		return Build{}, false
	}
	dockerfile := cmp.Or(cb.Dockerfile, "Dockerfile")
	if _, err := os.Stat(filepath.Join(cb.Context, dockerfile)); !filepath.IsAbs(dockerfile) && err != nil {
		b.fail("%s: %s has no %s; add it or name another with dockerfile:", where, cb.Context, dockerfile)
		return Build{}, false
	}
	rec := Build{Pod: lp.pod.Name, Service: lp.file.ServiceName(cb.Service), Context: cb.Context,
		Dockerfile: cb.Dockerfile, Target: cb.Target, Args: cb.Args, Image: cb.Image}
	if len(rec.Args) == 0 {
		rec.Args = nil
	}
	if rec.Image == "" {
		sum, err := contextHash(rec)
		if err != nil {
			b.fail("%s: reading the context %s: %v", where, cb.Context, err)
			return Build{}, false
		}
		rec.Image = fmt.Sprintf("%s%s-%s:ctx-%s", b.registryPrefix(where), lp.file.ProjectName(lp.pod.Name), strings.ToLower(rec.Service), sum)
	}
	return rec, true
}

// checkContextPlace refuses a build context that holds the deployment
// directory (its generated secrets would be sent to the engine and could
// be copied into the image) or that a link inside the stack leads out of
// it, and warns about a context written outside the stack (a laconic-so
// repository checkout): it is sent to the engine as it is there.
func (b *builder) checkContextPlace(lp loadedPod, cb compose.Build, where string) bool {
	if bindsrc.Inside(b.plan.Dir, cb.Context) {
		b.fail("%s: the context %s holds the deployment directory %s, whose generated secrets and records would be sent to the container engine with it; create the deployment directory outside the build context", where, cb.Context, b.plan.Dir)
		return false
	}
	if _, lexically := spec.Within(lp.pod.Root, cb.Context); !bindsrc.Inside(cb.Context, lp.pod.Root) {
		if lexically {
			b.fail("%s: the context %s lies inside the stack but a link in its path leads out of it; links out of the stack are never followed: make it a directory of the stack", where, cb.Context)
			return false
		}
		b.warn("%s: the context %s lies outside the stack (%s): everything under it is sent to the container engine; check that is what the stack means", where, cb.Context, lp.pod.Root)
	}
	return true
}

// registryPrefix is where deploy-to: k8s clusters pull built images from:
// the spec's image-registry, else the registry of its credentials. kind
// needs none (images are loaded into the nodes).
func (b *builder) registryPrefix(where string) string {
	s := b.plan.Spec
	if s.DeployTo != spec.DeployToK8s {
		return ""
	}
	if s.ImageRegistry != "" {
		return strings.TrimSuffix(s.ImageRegistry, "/") + "/"
	}
	if c := s.Credentials(); c != nil && c.Server != "" {
		return strings.TrimSuffix(c.Server, "/") + "/"
	}
	b.warn("%s: deploy-to: k8s pulls images from a registry, and the spec names none; set image-registry: in %s so that kubectl stack build --push has somewhere to push", where, b.specPath)
	return ""
}

// Stale reports whether the build's context changed since create tagged
// its image from it: the image would be rebuilt under the old tag, and the
// pods would not roll. Images named by the compose file (image:) have no
// content tag and are never stale.
func (b Build) Stale() (bool, error) {
	_, tag, ok := strings.Cut(b.Image[strings.LastIndex(b.Image, "/")+1:], ":ctx-")
	if !ok {
		return false, nil
	}
	sum, err := contextHash(b)
	return err == nil && sum != tag, err
}

// contextHash is a short hash of everything a build depends on here: the
// context's files (paths, modes and contents; links as their targets,
// special files by name only, never opened), the Dockerfile, target and
// arguments.
func contextHash(rec Build) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "dockerfile=%s\x00target=%s\x00", rec.Dockerfile, rec.Target)
	for _, k := range slices.Sorted(maps.Keys(rec.Args)) {
		fmt.Fprintf(h, "arg=%s=%s\x00", k, rec.Args[k])
	}
	err := filepath.WalkDir(rec.Context, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(rec.Context, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%o\x00", filepath.ToSlash(rel), info.Mode())
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s\x00", target)
		case d.Type().IsRegular():
			return hashFile(h, p)
		}
		return nil
	})
	return fmt.Sprintf("%x", h.Sum(nil))[:12], err
}

func hashFile(w io.Writer, p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

func (b *builder) addBuildsFile() {
	if len(b.plan.Builds) == 0 {
		return
	}
	b.addRecordFile(BuildsFile, buildsDoc{Builds: b.plan.Builds},
		"# Images the stack builds (services with build:), as kubectl stack create found them.\n# Rewritten by create --update; kubectl stack build and deploy read it.\n")
}

// SelectBuilds returns the builds of the named services (as the compose
// file writes them or as their Kubernetes names), all builds when none is
// named. A named service that builds no image is an error that lists the
// services that do.
func (d *Deployment) SelectBuilds(services []string) ([]Build, error) {
	same := func(arg, service string) bool { return arg == service || k8sname.Label(arg) == k8sname.Label(service) }
	var all []string
	for _, b := range d.Builds {
		all = append(all, b.Service)
	}
	for _, s := range services {
		if !slices.ContainsFunc(all, func(b string) bool { return same(s, b) }) {
			return nil, fmt.Errorf("service %q builds no image in %s; the services with build: are %v (after changing the stack, re-sync the deployment with create --update)", s, d.Dir, all)
		}
	}
	var out []Build
	for _, b := range d.Builds {
		if len(services) == 0 || slices.ContainsFunc(services, func(s string) bool { return same(s, b.Service) }) {
			out = append(out, b)
		}
	}
	return out, nil
}
