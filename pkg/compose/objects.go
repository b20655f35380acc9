package compose

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"

	"github.com/compose-spec/compose-go/v2/types"
)

// Secrets and configs are compose's files for a container: a top-level
// secrets:/configs: entry gives the content (file:, environment:,
// content:, external:), a service's secrets:/configs: mounts it, at
// /run/secrets/<name> and /<name> by default.

// FileObject is a top-level secret or config.
type FileObject struct {
	// Name is the name the compose file gives it.
	Name string
	// File is the absolute path of file:, when it is given.
	File string
	// Environment names the variable of environment:.
	Environment string
	// Content is content: (configs only).
	Content string
	// External: an object that exists already (external: true).
	External bool
}

// ObjectMount is where a service mounts a secret or config.
type ObjectMount struct {
	// Object is the top-level secret's or config's name.
	Object string
	Target string
	// Mode is the file's mode (nil: the default, 0444).
	Mode *int32
	// UID and GID are the owner compose asks for, as written.
	UID, GID string
}

// SecretObjects returns the top-level secrets the file's services mount,
// by name.
func (f *File) SecretObjects() []FileObject {
	var out []FileObject
	for _, name := range f.mounted(func(s Service) []types.FileReferenceConfig { return secretRefs(s) }) {
		if s, ok := f.Project.Secrets[name]; ok {
			out = append(out, fileObject(name, types.FileObjectConfig(s)))
		}
	}
	return out
}

// ConfigObjects returns the top-level configs the file's services mount,
// by name.
func (f *File) ConfigObjects() []FileObject {
	var out []FileObject
	for _, name := range f.mounted(func(s Service) []types.FileReferenceConfig { return configRefs(s) }) {
		if c, ok := f.Project.Configs[name]; ok {
			out = append(out, fileObject(name, types.FileObjectConfig(c)))
		}
	}
	return out
}

func fileObject(name string, c types.FileObjectConfig) FileObject {
	return FileObject{Name: name, File: c.File, Environment: c.Environment, Content: c.Content, External: bool(c.External)}
}

// mounted lists the objects the services mount, sorted, each once.
func (f *File) mounted(refs func(Service) []types.FileReferenceConfig) []string {
	var out []string
	for _, svc := range f.Project.Services {
		for _, r := range refs(svc) {
			out = append(out, r.Source)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func secretRefs(s Service) []types.FileReferenceConfig {
	var out []types.FileReferenceConfig
	for _, r := range s.Secrets {
		out = append(out, types.FileReferenceConfig(r))
	}
	return out
}

func configRefs(s Service) []types.FileReferenceConfig {
	var out []types.FileReferenceConfig
	for _, r := range s.Configs {
		out = append(out, types.FileReferenceConfig(r))
	}
	return out
}

// SecretMounts are where a service mounts its secrets: target, relative
// to /run/secrets, default /run/secrets/<name>.
func SecretMounts(s Service) []ObjectMount {
	return objectMounts(secretRefs(s), "/run/secrets")
}

// ConfigMounts are where a service mounts its configs: target (relative
// to /), default /<name>.
func ConfigMounts(s Service) []ObjectMount {
	return objectMounts(configRefs(s), "/")
}

func objectMounts(refs []types.FileReferenceConfig, dir string) []ObjectMount {
	var out []ObjectMount
	for _, r := range refs {
		m := ObjectMount{Object: r.Source, Target: r.Target, UID: r.UID, GID: r.GID}
		switch {
		case m.Target == "":
			m.Target = path.Join(dir, r.Source)
		case !path.IsAbs(m.Target):
			m.Target = path.Join(dir, m.Target)
		}
		if r.Mode != nil {
			mode := int32(*r.Mode)
			m.Mode = &mode
		}
		out = append(out, m)
	}
	return out
}

// ModeString writes a mode as compose does (0440).
func ModeString(mode int32) string { return "0" + strconv.FormatInt(int64(mode), 8) }

// checkObjectFiles refuses a secret's or config's file: that must not be
// read (outside root once links are followed, not a regular file, too
// large) and records the others among the files to copy into the
// deployment directory. A missing one is named with the fix.
func (f *File) checkObjectFiles(root string) error {
	var errs []error
	for _, set := range []struct {
		kind    string
		objects []FileObject
	}{{"secrets", f.SecretObjects()}, {"configs", f.ConfigObjects()}} {
		kind := set.kind
		for _, o := range set.objects {
			if o.File == "" {
				continue
			}
			field := kind + "." + o.Name + ".file"
			if err := checkReadable(o.File, root, field); err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					err = fmt.Errorf("%s: %s does not exist; create it (it is not in git, perhaps) or point file: at it", field, o.File)
				}
				errs = append(errs, err)
				continue
			}
			if !slices.Contains(f.otherFiles, o.File) {
				f.otherFiles = append(f.otherFiles, o.File)
			}
		}
	}
	return errors.Join(errs...)
}

// EnvironmentValue is a variable of the project's environment (the spec's
// config over .env), as a config's environment: reads it.
func (f *File) EnvironmentValue(name string) (string, bool) {
	v, ok := f.environment[name]
	return v, ok
}

// FreshVolumeMount is a volume mount that starts empty on Kubernetes,
// where docker compose would first fill the new volume with the image's
// files at the mount path.
type FreshVolumeMount struct {
	// Volume is the named volume as written ("" for an anonymous one).
	Volume, Service, Target string
}

// CopiesUp says whether docker fills the volume of this mount with the
// image's files when it is new: a named or anonymous volume, not nocopy,
// and not a data directory (a bind in docker too).
func (f *File) CopiesUp(v types.ServiceVolumeConfig) bool {
	return v.Type == types.VolumeTypeVolume && (v.Volume == nil || !v.Volume.NoCopy) && f.dataVolumes[v.Source] == ""
}

// FreshVolumeMounts are the mounts of named volumes the file declares and
// of anonymous ones (not data directories, which are binds in docker too,
// nor nocopy ones).
func (f *File) FreshVolumeMounts() []FreshVolumeMount {
	var out []FreshVolumeMount
	for _, name := range f.ServiceNames() {
		for _, v := range f.Project.Services[name].Volumes {
			if !f.CopiesUp(v) {
				continue
			}
			vol := ""
			if v.Source != "" {
				vol = f.VolumeName(v.Source)
			}
			out = append(out, FreshVolumeMount{Volume: vol, Service: f.ServiceName(name), Target: v.Target})
		}
	}
	return out
}
