package compose

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/kubectl-stack/kubectl-stack/pkg/bindsrc"
)

// A relative bind whose directory does not exist (./data:/app/data) is
// created by docker compose and written by the container: it is data, not
// content the stack ships. So is an existing empty one that is not
// read-only (projects' docs often say to mkdir them first). Each becomes a
// named volume (a data volume), which the spec's volumes: may give a host
// path or size like any other; unconfigured, it is a claim (on kind, a
// host path under kind-mount-root when there is one). A bind of a single
// missing file stays a bind, which create refuses: docker would make a
// directory there, which is never what the project meant.

// dataDirs turns the data directories among the services' binds into
// named volumes, before the names are mapped. root is the directory the
// file's content lies in (the stack, or the deployment directory).
func (f *File) dataDirs(dir, root string) {
	p := f.Project
	for _, svcName := range slices.Sorted(maps.Keys(p.Services)) {
		svc := p.Services[svcName]
		written := f.writtenSources(svcName, dir, func(s string) string { return s })
		for i, v := range svc.Volumes {
			if v.Type != types.VolumeTypeBind {
				continue
			}
			resolved := resolve(dir, v.Source)
			source, ok := written[resolved]
			if !ok || !IsRelativeSource(source) || !bindsrc.Inside(resolved, root) || !isDataDir(resolved, source, v.ReadOnly) {
				continue
			}
			name := dataVolumeName(source, p.Volumes)
			if p.Volumes == nil {
				p.Volumes = types.Volumes{}
			}
			p.Volumes[name] = types.VolumeConfig{Name: name}
			svc.Volumes[i] = types.ServiceVolumeConfig{Type: types.VolumeTypeVolume, Source: name, Target: v.Target, ReadOnly: v.ReadOnly}
			if f.dataVolumes == nil {
				f.dataVolumes = map[string]string{}
			}
			f.dataVolumes[name] = source
			f.dataNotes = append(f.dataNotes, fmt.Sprintf("service %s: the bind %s:%s is a data directory (docker compose creates it and the container writes it), so it is the data volume %s, kept by stop like every volume; give it a host path or size under volumes: in spec.yml", svcName, source, v.Target, name))
		}
		p.Services[svcName] = svc
	}
}

// IsRelativeSource reports whether a bind source is written relative to
// the compose file ("./data", "conf"), as opposed to an absolute or ~ one,
// which is a host path.
func IsRelativeSource(source string) bool {
	return !filepath.IsAbs(source) && !strings.HasPrefix(source, "~")
}

// writtenSources maps a service's bind sources, resolved against dir
// (after expand), to the sources as the file writes them.
func (f *File) writtenSources(service, dir string, expand func(string) string) map[string]string {
	written := map[string]string{}
	for _, raw := range f.rawSources[service] {
		written[resolve(dir, expand(raw))] = raw
	}
	return written
}

// isDataDir: a missing directory (not a single file, by its name), or an
// existing empty directory that is not read-only.
func isDataDir(resolved, source string, readOnly bool) bool {
	info, err := os.Stat(resolved)
	if errors.Is(err, os.ErrNotExist) {
		base := filepath.Base(source)
		ext := filepath.Ext(base)
		return ext == "" || ext == base // ./data, ./.data; not ./nginx.conf
	}
	if err != nil || !info.IsDir() || readOnly {
		return false
	}
	d, err := os.Open(resolved)
	if err != nil {
		return false
	}
	defer d.Close()
	_, err = d.Readdirnames(1)
	return errors.Is(err, io.EOF)
}

// VolumeNameFor names a volume after a bind source: "./volumes/db" →
// "volumes_db" ("data" when nothing is left).
func VolumeNameFor(source string) string {
	name := strings.Trim(strings.NewReplacer("/", "_", ".", "").Replace(strings.TrimPrefix(filepath.ToSlash(source), "./")), "_")
	if name == "" {
		return "data"
	}
	return name
}

// dataVolumeName names a data volume after its source (VolumeNameFor),
// apart from the file's own volumes.
func dataVolumeName(source string, taken types.Volumes) string {
	name := VolumeNameFor(source)
	for base, n := name, 2; ; n++ {
		if _, clash := taken[name]; !clash {
			return name
		}
		name = fmt.Sprintf("%s_%d", base, n)
	}
}

// DataVolumes maps the data volumes (by Kubernetes name) to the bind
// sources they came from.
func (f *File) DataVolumes() map[string]string {
	out := map[string]string{}
	for name, source := range f.dataVolumes {
		out[f.volumes.K8s(name)] = source
	}
	return out
}
