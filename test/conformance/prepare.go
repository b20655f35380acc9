// Package conformance runs a compose project under the real docker compose
// and under kubectl stack, each service's image replaced by the probe
// (test/conformance/probe), and compares what the containers observe,
// behaviour by behaviour (see docs/conformance.md).
package conformance

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/stack"
)

// ProbeImage is the probe's image (hack/probe-image.sh).
const ProbeImage = "kubectl-stack/probe:local"

// OverrideFile is the file the suite adds to a project: it runs the probe
// in place of every service's image and tells it what to observe. Both
// docker compose (-f) and kubectl stack (COMPOSE_FILE) merge it.
const OverrideFile = "compose.probe.yaml"

// Project is a compose project prepared for the suite.
type Project struct {
	// Name names the project (its directory).
	Name string
	// Dir is the suite's working copy.
	Dir string
	// Files are its compose files relative to Dir, OverrideFile last.
	Files []string
	// Services are the services by the names the compose files write.
	Services []string
	// renamed maps a written name Kubernetes cannot carry to its name
	// there (cache_redis → cache-redis).
	renamed map[string]string
	// secretPaths are "service path" of the secrets the services mount;
	// volumePaths of their named and anonymous volumes.
	secretPaths, volumePaths map[string]bool
	// deps are each service's depends_on, by written names.
	deps map[string][]compose.Dependency
	// runOnce are the services that run once (restart: "no", ...).
	runOnce map[string]bool
}

// Prepare copies the project at src into work and writes OverrideFile.
func Prepare(ctx context.Context, src, work string) (*Project, error) {
	if err := os.CopyFS(work, os.DirFS(src)); err != nil {
		return nil, fmt.Errorf("copying %s: %w", src, err)
	}
	st, err := stack.Locate(work, nil)
	if err != nil {
		return nil, err
	}
	if st.DefinitionFile != "" || len(st.Pods) != 1 {
		return nil, fmt.Errorf("%s: the suite takes a compose project (a directory with compose.yaml), not a stack.yml stack", src)
	}
	files := st.Pods[0].Files()
	f, err := compose.LoadFiles(ctx, files, work, nil)
	if err != nil {
		return nil, err
	}
	p := &Project{Name: filepath.Base(src), Dir: work, renamed: f.RenamedServices(), secretPaths: map[string]bool{}, volumePaths: map[string]bool{}, deps: map[string][]compose.Dependency{}, runOnce: map[string]bool{}}
	for _, file := range files {
		rel, _ := filepath.Rel(work, file)
		p.Files = append(p.Files, filepath.ToSlash(rel))
	}
	override := map[string]any{}
	for _, name := range f.ServiceNames() {
		p.Services = append(p.Services, f.ServiceName(name))
		for _, m := range compose.SecretMounts(f.Project.Services[name]) {
			p.secretPaths[f.ServiceName(name)+" "+m.Target] = true
		}
		for _, d := range f.Dependencies(name) {
			p.deps[f.ServiceName(name)] = append(p.deps[f.ServiceName(name)], compose.Dependency{Service: f.ServiceName(d.Service), Condition: d.Condition})
		}
		for _, v := range f.Project.Services[name].Volumes {
			if v.Type == compose.VolumeTypeVolume {
				p.volumePaths[f.ServiceName(name)+" "+v.Target] = true
			}
		}
		if _, once := compose.RunsOnce(f.Project.Services[name]); once {
			p.runOnce[f.ServiceName(name)] = true
		}
		override[f.ServiceName(name)] = probeService(f, name)
	}
	data, err := yaml.Marshal(map[string]any{"services": override})
	if err != nil {
		return nil, err
	}
	// !reset drops a build: so that both sides run the probe's image.
	text := strings.ReplaceAll(string(data), "build: RESET", "build: !reset null")
	if err := os.WriteFile(filepath.Join(work, OverrideFile), []byte(text), 0o644); err != nil {
		return nil, err
	}
	p.Files = append(p.Files, OverrideFile)
	slices.Sort(p.Services)
	return p, nil
}

// probeService is a service's override: the probe's image, entrypoint
// (the service's own after "--", so that its argv is still observed), a
// healthcheck the probe answers, and what to observe.
func probeService(f *compose.File, name string) map[string]any {
	svc := f.Project.Services[name]
	out := map[string]any{
		"image":      ProbeImage,
		"entrypoint": append([]string{"/probe", "--"}, svc.Entrypoint...),
		"environment": map[string]string{
			"PROBE_SERVICE": f.ServiceName(name),
			"PROBE_LISTEN":  strings.Join(listen(svc), ","),
			"PROBE_NAMES":   strings.Join(names(f), ","),
			"PROBE_DIAL":    strings.Join(dials(f, name), ","),
			"PROBE_PATHS":   strings.Join(paths(svc), ","),
			"PROBE_ENV":     strings.Join(slices.Sorted(maps.Keys(svc.Environment)), ","),
			"PROBE_SYSCTLS": strings.Join(slices.Sorted(maps.Keys(svc.Sysctls)), ","),
		},
	}
	if svc.Build != nil {
		out["build"] = "RESET"
	}
	if svc.HealthCheck != nil && !svc.HealthCheck.Disable {
		out["healthcheck"] = map[string]any{"test": []string{"CMD", "/probe", "health"}}
	}
	return out
}

func listen(svc compose.Service) []string {
	var out []string
	for _, p := range compose.ContainerPorts(svc) {
		if !strings.Contains(p.Port, "-") {
			out = append(out, p.String())
		}
	}
	return out
}

// names are the names the project's services are reached by: their own,
// their network aliases, container_name and hostname.
func names(f *compose.File) []string {
	var out []string
	for _, name := range f.ServiceNames() {
		svc := f.Project.Services[name]
		out = append(out, f.ServiceName(name))
		for _, n := range svc.Networks {
			if n != nil {
				out = append(out, n.Aliases...)
			}
		}
		if svc.ContainerName != "" {
			out = append(out, svc.ContainerName)
		}
		if svc.Hostname != "" {
			out = append(out, svc.Hostname)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// dials are the other services' ports, by their compose names.
func dials(f *compose.File, self string) []string {
	var out []string
	for _, name := range f.ServiceNames() {
		if name == self {
			continue
		}
		for _, p := range listen(f.Project.Services[name]) {
			out = append(out, f.ServiceName(name)+":"+p)
		}
	}
	return out
}

// paths are where the service mounts something: volumes, binds, tmpfs,
// secrets (/run/secrets/<name>) and configs (/<name>).
func paths(svc compose.Service) []string {
	var out []string
	for _, v := range svc.Volumes {
		out = append(out, v.Target)
	}
	for _, t := range svc.Tmpfs {
		target, _, _ := strings.Cut(t, ":")
		out = append(out, target)
	}
	for _, s := range svc.Secrets {
		out = append(out, mountPoint(s.Target, "/run/secrets", s.Source))
	}
	for _, c := range svc.Configs {
		out = append(out, mountPoint(c.Target, "/", c.Source))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// mountPoint is where a secret or config is mounted: its target, relative
// to dir when not absolute, else dir/<source>.
func mountPoint(target, dir, source string) string {
	switch {
	case target == "":
		return filepath.Join(dir, source)
	case filepath.IsAbs(target):
		return target
	}
	return filepath.Join(dir, target)
}
