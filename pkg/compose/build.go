package compose

import (
	"cmp"

	"github.com/compose-spec/compose-go/v2/loader"
)

// Build is a service's build: section, with paths made absolute.
type Build struct {
	// Service is the service's Kubernetes name.
	Service string
	// Context is the build context directory (absolute), or a remote
	// context (a URL) as written.
	Context    string
	Dockerfile string
	// DockerfileInline is an inline Dockerfile, when given instead.
	DockerfileInline string
	Args             map[string]string
	Target           string
	// Image is the service's image: when set with build: (docker compose
	// tags the build with it).
	Image string
	// Secrets lists the build secrets the service asks for.
	Secrets []string
}

// Builds returns the build: sections of the file's services, in name order.
func (f *File) Builds() []Build {
	var out []Build
	for _, name := range f.ServiceNames() {
		svc := f.Project.Services[name]
		if svc.Build == nil {
			continue
		}
		b := Build{Service: name, Context: svc.Build.Context, Dockerfile: svc.Build.Dockerfile,
			DockerfileInline: svc.Build.DockerfileInline, Target: svc.Build.Target, Image: svc.Image, Args: map[string]string{}}
		for k, v := range svc.Build.Args {
			if v != nil {
				b.Args[k] = *v
			}
		}
		for _, s := range svc.Build.Secrets {
			b.Secrets = append(b.Secrets, s.Source)
		}
		out = append(out, b)
	}
	return out
}

// ProjectNameVariable names a compose project whose file does not, as
// docker compose reads it from the environment or .env.
const ProjectNameVariable = "COMPOSE_PROJECT_NAME"

// ProjectName is the compose project's name as docker compose names it:
// the file's name: when it has one, then COMPOSE_PROJECT_NAME, else
// fallback (docker compose's default is the project directory's name),
// normalized.
func (f *File) ProjectName(fallback string) string {
	return loader.NormalizeProjectName(cmp.Or(f.DeclaredName(), fallback))
}

// DeclaredName is the name the project gives itself: the file's name:,
// else COMPOSE_PROJECT_NAME (the spec's config, then .env); "" when
// neither is set and docker compose would use the directory's name.
func (f *File) DeclaredName() string {
	return cmp.Or(f.rawName, f.projectVar)
}
