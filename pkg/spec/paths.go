package spec

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/kubectl-stack/kubectl-stack/pkg/bindsrc"
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
)

// ExpandHome replaces a leading "~" with the user's home directory.
func ExpandHome(p string) string {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return p
	}
	return filepath.Join(home, strings.TrimPrefix(p, "~"))
}

// ResolvePath makes a spec path absolute and clean: "~" is expanded and a
// relative path is taken relative to base.
func ResolvePath(base, p string) string {
	p = ExpandHome(p)
	if !filepath.IsAbs(p) {
		p = filepath.Join(base, p)
	}
	return filepath.Clean(p)
}

// Within reports whether path lies under root (or is root), comparing
// cleaned absolute paths on whole path elements: /srv/kind2 is not within
// /srv/kind. It returns the relative path when it does.
func Within(root, path string) (string, bool) {
	return bindsrc.Within(root, path)
}

// DefaultNamespace is laconic-so's namespace for a stack: laconic-<name>,
// sanitised into a valid name (laconic-so does not sanitise, §10.3.14).
func DefaultNamespace(stackName string) string {
	return k8sname.Fit("laconic-"+k8sname.Label(stackName), k8sname.MaxLabel)
}

// SanitizeName lowercases s and replaces every character that is not
// allowed in a DNS-1123 label with '-', trimming dashes at the ends.
func SanitizeName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteRune('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	for strings.Contains(out, "--") {
		out = strings.ReplaceAll(out, "--", "-")
	}
	return out
}
