package compose

import (
	"cmp"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/kubectl-stack/kubectl-stack/pkg/bindsrc"
	"github.com/kubectl-stack/kubectl-stack/pkg/dockerfile"
)

// dropLiveCodeMounts removes docker compose's live-code pattern from the
// services that build their image: a bind of the build context itself onto
// the directory the Dockerfile copies the context to (".:/app" with
// "build: ." and "COPY . /app"), and the anonymous volumes under it
// ("/app/node_modules", which docker fills from the image to keep what the
// image installed). The image built from that context already holds those
// files there. On Kubernetes the bind would be a read-only ConfigMap
// (refused over its budget; a mount nested in it cannot be made), and the
// anonymous volume an empty directory hiding what the image installed. A
// bind of the context anywhere else (./app:/etc/app with COPY . /usr/src/app)
// puts files where the image has none, and is kept. A Dockerfile read
// inside root is recorded with the files to copy into the deployment
// directory, so that it decides as create did.
func (f *File) dropLiveCodeMounts(root string) {
	dir := filepath.Dir(f.Path)
	for _, name := range f.ServiceNames() {
		svc := f.Project.Services[name]
		if svc.Build == nil || svc.Build.Context == "" {
			continue
		}
		context := resolve(dir, svc.Build.Context)
		isContext := func(v types.ServiceVolumeConfig) bool {
			return v.Type == types.VolumeTypeBind && resolve(dir, v.Source) == context
		}
		if !slices.ContainsFunc(svc.Volumes, isContext) {
			continue
		}
		filled, read, err := contextDestinations(svc.Build, context)
		if read != "" && bindsrc.Inside(read, root) && !slices.Contains(f.otherFiles, read) {
			// The deployment directory gets a copy, so that it decides
			// as create did (it holds no copy of the context itself).
			f.otherFiles = append(f.otherFiles, read)
		}
		var targets []string
		for _, v := range svc.Volumes {
			if !isContext(v) {
				continue
			}
			if slices.Contains(filled, path.Clean(v.Target)) {
				targets = append(targets, v.Target)
				continue
			}
			f.liveCode = append(f.liveCode, keptNote(f.ServiceName(name), relativeTo(dir, context), v.Target, filled, err))
		}
		if len(targets) == 0 {
			continue
		}
		var kept []types.ServiceVolumeConfig
		for _, v := range svc.Volumes {
			switch {
			case isContext(v) && slices.Contains(targets, v.Target):
				f.liveCode = append(f.liveCode, fmt.Sprintf("service %s: the bind of its build context %s onto %s is left out: the image built from it already holds those files there, as its Dockerfile copies the context to %s (docker compose's live-code pattern)", f.ServiceName(name), relativeTo(dir, context), v.Target, v.Target))
			case v.Type == types.VolumeTypeVolume && v.Source == "" && under(v.Target, targets):
				f.liveCode = append(f.liveCode, fmt.Sprintf("service %s: the anonymous volume %s is left out with the bind it sits in, so the image's own files show there (docker fills such a volume from the image)", f.ServiceName(name), v.Target))
			default:
				kept = append(kept, v)
			}
		}
		svc.Volumes = kept
		f.Project.Services[name] = svc
	}
}

func under(p string, dirs []string) bool {
	for _, d := range dirs {
		if rel, err := filepath.Rel(d, p); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
			return true
		}
	}
	return false
}

// contextDestinations are the image directories the service's Dockerfile
// copies its whole build context to, and the Dockerfile read. It is read
// inside the context, as the engine reads it.
func contextDestinations(b *types.BuildConfig, context string) (dirs []string, read string, err error) {
	if b.DockerfileInline != "" {
		dirs, err = dockerfile.ContextDestinations([]byte(b.DockerfileInline), b.Target)
		return dirs, "", err
	}
	file := cmp.Or(b.Dockerfile, "Dockerfile")
	if !filepath.IsAbs(file) {
		file = filepath.Join(context, file)
	}
	data, err := bindsrc.ReadFile(file, context, bindsrc.ReadLimit)
	if err != nil {
		return nil, "", err
	}
	dirs, err = dockerfile.ContextDestinations(data, b.Target)
	if err != nil {
		return nil, file, fmt.Errorf("%s: %w", file, err)
	}
	return dirs, file, nil
}

// keptNote says why a bind of the build context stays: the image does not
// hold the context there, so the bind is the only thing that puts those
// files in that place.
func keptNote(service, context, target string, filled []string, err error) string {
	switch {
	case err != nil:
		return fmt.Sprintf("service %s: the bind of its build context %s onto %s is kept (as a ConfigMap): its Dockerfile could not be read to tell whether the image holds those files there (%v)", service, context, target, err)
	case len(filled) == 0:
		return fmt.Sprintf("service %s: the bind of its build context %s onto %s is kept (as a ConfigMap): its Dockerfile does not copy the whole context into the image", service, context, target)
	}
	return fmt.Sprintf("service %s: the bind of its build context %s onto %s is kept (as a ConfigMap): its Dockerfile copies the context to %s, not there", service, context, target, strings.Join(filled, ", "))
}
