package compose

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// dropLiveCodeMounts removes docker compose's live-code pattern from the
// services that build their image: a bind of the build context itself
// (".:/app" with "build: ."), and the anonymous volumes under its target
// ("/app/node_modules", which docker fills from the image to keep what the
// image installed). The image built from that context already holds the
// files. On Kubernetes the bind would be a read-only ConfigMap (refused
// over its budget; a mount nested in it cannot be made), and the anonymous
// volume an empty directory hiding what the image installed.
func (f *File) dropLiveCodeMounts() {
	dir := filepath.Dir(f.Path)
	for _, name := range f.ServiceNames() {
		svc := f.Project.Services[name]
		if svc.Build == nil || svc.Build.Context == "" {
			continue
		}
		context := resolve(dir, svc.Build.Context)
		var targets []string
		for _, v := range svc.Volumes {
			if v.Type == types.VolumeTypeBind && resolve(dir, v.Source) == context {
				targets = append(targets, v.Target)
			}
		}
		if len(targets) == 0 {
			continue
		}
		var kept []types.ServiceVolumeConfig
		for _, v := range svc.Volumes {
			switch {
			case v.Type == types.VolumeTypeBind && resolve(dir, v.Source) == context:
				f.liveCode = append(f.liveCode, fmt.Sprintf("service %s: the bind of its build context %s onto %s is left out: the image built from it already holds those files (docker compose's live-code pattern)", f.ServiceName(name), relativeTo(dir, context), v.Target))
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
