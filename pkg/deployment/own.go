package deployment

import (
	"path"
	"path/filepath"
	"strings"

	"github.com/kubectl-stack/kubectl-stack/pkg/bindsrc"
	"github.com/kubectl-stack/kubectl-stack/pkg/hooks"
)

// ownEntries are what kubectl-stack keeps for itself at the top of a
// deployment directory, with what they hold: none of it may ever be part
// of a ConfigMap, a bind, an image build context or a rendered tree.
var ownEntries = map[string]string{
	DeploymentFile:       "the deployment's ids",
	GeneratedSecretsFile: "the generated secret values",
	ManifestFile:         "the record of the files create wrote",
	UpdateDir:            "the staging of create --update",
	BackupsDir:           "the backups of replaced files",
	HostPathsFile:        "the record of host paths",
	BuildsFile:           "the record of image builds",
	DataDir:              "the volumes' data",
	hooks.DeploymentDir:  "the hooks",
}

// HoldsOwnFiles reports whether rel, a slash-separated path inside a
// deployment directory, is or contains what kubectl-stack keeps for
// itself, and says what. The directory itself ("." or "") holds all of it.
func HoldsOwnFiles(rel string) (string, bool) {
	rel = path.Clean(strings.TrimPrefix(rel, "/"))
	if rel == "." {
		return "deployment.yml, generated-secrets.env, data/ and its backups", true
	}
	first, _, _ := strings.Cut(rel, "/")
	what, ok := ownEntries[first]
	if !ok {
		return "", false
	}
	return first + " (" + what + ")", true
}

// OwnFilesIn reports whether a bind source (or a configmap directory)
// would expose what kubectl-stack keeps in the deployment directory dir:
// dir itself or a directory above it, or one of its own entries, once
// links are followed; it says what. A system path (/, /var/log) is the
// node's own, never this machine's deployment directory (it is warned
// about as such).
func OwnFilesIn(dir, source string) (string, bool) {
	if _, system := bindsrc.SystemPath(source); system {
		return "", false
	}
	if bindsrc.Inside(dir, source) {
		return HoldsOwnFiles(".")
	}
	if rel, ok := bindsrc.Within(bindsrc.RealPath(dir), bindsrc.RealPath(source)); ok {
		return HoldsOwnFiles(filepath.ToSlash(rel))
	}
	return "", false
}
