package compose

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/kubectl-stack/kubectl-stack/pkg/bindsrc"
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
)

// File is one loaded compose file.
type File struct {
	// Path is the file's absolute path.
	Path string
	// Project is compose-go's model after extends, env_file and
	// interpolation, with relative paths made absolute.
	Project *types.Project
	// rawSources holds each service's volume sources as written.
	rawSources map[string][]string
	// explicitRW holds "service\x00source" of binds written with an
	// explicit rw option.
	explicitRW map[string]bool
	// UnsetVariables are the ${VAR}s without a value and without a default;
	// they expand to "".
	UnsetVariables []string
	// DotEnv is the project's .env file when it has one; its variables
	// interpolate the file beneath the caller's (the spec's config).
	DotEnv string
	// Warnings are compose-go's own warnings about the file.
	Warnings []string
	// rawName is the file's name: as written (the project name).
	rawName string
	// projectVar is COMPOSE_PROJECT_NAME from the caller's environment or
	// .env, which names the project when the file does not.
	projectVar string
	// environment is what the file was interpolated with (the spec's
	// config over .env): configs' environment: read it.
	environment map[string]string
	// services and volumes map compose names to Kubernetes names.
	services, volumes *k8sname.Table
	// only lists the services of a view (Only); nil for the whole file.
	only []string
	// whole is the whole file's services in a view, nil in the file.
	whole types.Services
	// liveCode says which live-code mounts were left out.
	liveCode []string
	// otherFiles are the files read besides the compose file: further
	// compose files, extended and included files, an include's env files
	// (absolute, each once).
	otherFiles []string
	// dataVolumes maps the data volumes made of data directories (by
	// compose name) to their bind sources; dataNotes say so.
	dataVolumes map[string]string
	dataNotes   []string
}

// Load parses a compose file. root is the directory the file and every
// file it reads (env_file, extends, include, .env) must lie in once links
// are followed: the stack, or the deployment directory. env supplies values
// for ${VAR} interpolation (the spec's config); unset variables expand to ""
// or their default.
func Load(ctx context.Context, path, root string, env map[string]string) (*File, error) {
	return LoadFiles(ctx, []string{path}, root, env)
}

// LoadFiles parses a project made of several compose files merged in order,
// as docker compose -f first -f second (or COMPOSE_FILE) merges them: the
// first file's directory is the project directory, against which every
// relative path of every file resolves.
func LoadFiles(ctx context.Context, paths []string, root string, env map[string]string) (*File, error) {
	files, err := readComposeFiles(paths, root)
	if err != nil {
		return nil, err
	}
	path := files[0].Filename
	dir := filepath.Dir(path)
	dotEnv, hasDotEnv, err := readDotEnv(dir, root, env)
	if err != nil {
		return nil, fmt.Errorf("parsing compose file %s: %w", path, err)
	}
	// compose-go adds COMPOSE_PROJECT_NAME to the environment it is given;
	// keep the caller's map untouched.
	environment := types.Mapping{}
	maps.Copy(environment, dotEnv)
	maps.Copy(environment, env)
	projectVar := environment[ProjectNameVariable]
	interpolation := maps.Clone(environment)
	// A file the YAML parser here refuses is left to compose-go, whose
	// error names the line.
	raws, walk, rawErr := walkReferences(files, root, environment)
	if rawErr != nil && !errors.Is(rawErr, errUnparsed) {
		return nil, rawErr
	}
	details := types.ConfigDetails{WorkingDir: dir, ConfigFiles: files, Environment: environment}
	unset := map[string]bool{}
	required := map[string]string{}
	var warnings []string
	var project *types.Project
	err = collectLogs(&warnings, func() (err error) {
		project, err = loader.LoadWithContext(ctx, details, options(projectName(path), unset, required), loader.WithProfiles(Profiles(environment)))
		return err
	})
	if len(required) > 0 {
		return nil, fmt.Errorf("parsing compose file %s: %w", path, requiredError(required))
	}
	if err != nil {
		return nil, fmt.Errorf("parsing compose file %w%s", withLines(files, err), requiredFix(err))
	}
	if rawErr != nil {
		return nil, fmt.Errorf("parsing compose file %w", rawErr)
	}
	sources, rw := walk.sources, walk.rw
	name := ""
	for _, raw := range raws {
		s, r := raw.volumes()
		for svc, list := range s {
			sources[svc] = append(sources[svc], list...)
		}
		maps.Copy(rw, r)
		name = cmp.Or(raw.Name, name)
	}
	f := &File{Path: path, Project: project, rawSources: sources, explicitRW: rw,
		UnsetVariables: slices.Sorted(maps.Keys(unset)), Warnings: warnings, rawName: name, projectVar: projectVar, environment: interpolation,
		otherFiles: walk.files}
	if hasDotEnv {
		f.DotEnv = filepath.Join(dir, DotEnvFile)
	}
	if err := f.checkObjectFiles(root); err != nil {
		return nil, fmt.Errorf("parsing compose file %s: %w", path, err)
	}
	f.cleanBindSources()
	f.dataDirs(dir, root)
	if err := f.mapNames(); err != nil {
		return nil, fmt.Errorf("parsing compose file %w", err)
	}
	f.dropLiveCodeMounts(root)
	if err := f.checkCycles(); err != nil {
		return nil, fmt.Errorf("parsing compose file %s: %w", path, err)
	}
	return f, nil
}

// projectName is compose-go's project name for a compose file (its base
// name without extension); the name: a file writes is kept apart.
func projectName(path string) string {
	return loader.NormalizeProjectName(strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
}

// readComposeFiles reads each compose file, bounded and inside root.
func readComposeFiles(paths []string, root string) ([]types.ConfigFile, error) {
	var out []types.ConfigFile
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		data, err := bindsrc.ReadFile(abs, root, bindsrc.ReadLimit)
		if err != nil {
			return nil, fmt.Errorf("reading compose file: %w", err)
		}
		out = append(out, types.ConfigFile{Filename: abs, Content: data})
	}
	if len(out) == 0 {
		return nil, errors.New("no compose file given")
	}
	return out, nil
}

// errUnparsed: a file the YAML parser here refuses.
var errUnparsed = errors.New("unparsed")

// walkReferences parses each compose file as written and checks every file
// it refers to (refWalk), relative to the project directory. The further
// files given are recorded with the files read, to be copied.
func walkReferences(files []types.ConfigFile, root string, env types.Mapping) ([]*rawFile, *refWalk, error) {
	dir := filepath.Dir(files[0].Filename)
	walk := newRefWalk(root, dir)
	var raws []*rawFile
	for i, cf := range files {
		if i > 0 {
			walk.record(cf.Filename)
		}
		raw, err := parseRaw(cf.Content)
		if err != nil {
			return nil, walk, fmt.Errorf("%w: %s: %w", errUnparsed, cf.Filename, err)
		}
		if err := walk.file(raw, dir, env); err != nil {
			return nil, walk, fmt.Errorf("parsing compose file %s: %w", cf.Filename, err)
		}
		raws = append(raws, raw)
	}
	return raws, walk, nil
}

// cleanBindSources writes every absolute bind source in its clean form
// (/etc/pihole/ is /etc/pihole), so that everything keyed by a source
// (host binds, ConfigMaps of stack files) finds it under one name.
func (f *File) cleanBindSources() {
	for name, svc := range f.Project.Services {
		for i, v := range svc.Volumes {
			if v.Type == types.VolumeTypeBind && filepath.IsAbs(v.Source) {
				svc.Volumes[i].Source = filepath.Clean(v.Source)
			}
		}
		f.Project.Services[name] = svc
	}
}

// ProfilesVariable selects compose profiles, as docker compose reads it
// from the environment or .env; here from the spec's config or .env.
const ProfilesVariable = "COMPOSE_PROFILES"

// Profiles are the profiles env activates (COMPOSE_PROFILES, comma
// separated).
func Profiles(env map[string]string) []string {
	var out []string
	for _, p := range strings.Split(env[ProfilesVariable], ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// options are compose-go's load options. unset collects the ${VAR}s
// without a value; required the ${VAR:?message}s without one, with their
// messages: they are all reported at once, not the first alone.
func options(name string, unset map[string]bool, required map[string]string) func(*loader.Options) {
	return func(o *loader.Options) {
		o.SetProjectName(loader.NormalizeProjectName(name), true)
		o.SkipConsistencyCheck = true
		// compose-go logs unset variables through logrus; collect them
		// instead, so that callers report them as their own warnings.
		// collect them instead, so that callers report them as their own
		// warnings; ${VAR:-default} with VAR unset is not reported, since
		// it has a value.
		o.Interpolate.Substitute = func(s string, m template.Mapping) (string, error) {
			record := func(k string) (string, bool) {
				v, ok := m(k)
				if !ok && plainReference(k).MatchString(s) {
					unset[k] = true
				}
				return v, ok
			}
			out, err := template.SubstituteWithOptions(s, record, template.WithoutLogging)
			var missing *template.MissingRequiredError
			if errors.As(err, &missing) {
				required[missing.Variable] = missing.Reason
				return "", nil
			}
			return out, err
		}
	}
}

// ServiceNames returns the services in name order.
func (f *File) ServiceNames() []string {
	return f.Project.ServiceNames()
}

// requiredError names every required variable (${VAR:?message}) the
// compose file lacks, with its message, and where to set them.
func requiredError(required map[string]string) error {
	vars := slices.Sorted(maps.Keys(required))
	flags := make([]string, len(vars))
	for i, v := range vars {
		flags[i] = "--config " + v + "=VALUE"
	}
	where := fmt.Sprintf("set %s under config: in spec.yml (kubectl stack init takes %s) or in %s beside the compose file", strings.Join(vars, ", "), strings.Join(flags, " "), DotEnvFile)
	if len(vars) == 1 {
		return fmt.Errorf("required variable %s has no value: %s; %s", vars[0], cmp.Or(required[vars[0]], "it is required"), where)
	}
	described := make([]string, len(vars))
	for i, v := range vars {
		described[i] = v + " (" + cmp.Or(required[v], "required") + ")"
	}
	return fmt.Errorf("required variables have no value: %s; %s", strings.Join(described, ", "), where)
}

// requiredFix says where to set a variable the compose file requires
// (${VAR:?message}), which compose-go refuses to load without.
func requiredFix(err error) string {
	var missing *template.MissingRequiredError
	if !errors.As(err, &missing) {
		return ""
	}
	return fmt.Sprintf("; set %s under config: in spec.yml (kubectl stack init takes --config %s=VALUE) or in %s beside the compose file", missing.Variable, missing.Variable, DotEnvFile)
}
