// Package k8sname maps compose names (services, volumes, pods, stacks,
// projects) to Kubernetes names with one rule, so that every name render
// emits is valid and every user-facing message can still show the name the
// user wrote.
//
// The rule: a name that already is a DNS-1123 label (lowercase letters,
// digits and '-', starting and ending with a letter or digit, at most 63
// characters) is kept as it is, so that laconic-so deployments keep their
// object names. Any other name is lowercased, every character outside
// [a-z0-9-] ('_' and '.' in practice) becomes '-', and leading and trailing
// '-' are dropped. A result over 63 characters keeps its first 54 and gets
// '-' plus 8 hex digits of the SHA-256 of the original name, so it stays
// stable and distinct.
package k8sname

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// MaxLabel is the length limit of a DNS-1123 label and of a label value.
const MaxLabel = validation.DNS1123LabelMaxLength

// hashLen is the number of hex digits of the suffix of a shortened name.
const hashLen = 8

// Label maps a compose name to a DNS-1123 label by the package's rule.
func Label(name string) string {
	if IsLabel(name) {
		return name
	}
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" {
		return "x-" + hash(name)
	}
	return fitFrom(out, name, MaxLabel)
}

// IsLabel reports whether name is a DNS-1123 label.
func IsLabel(name string) bool {
	return len(validation.IsDNS1123Label(name)) == 0
}

// Fit shortens a valid name that is longer than max: its first characters,
// then '-' and a hash of the whole name. Shorter names are returned as they
// are. Composite names (a deployment-id prefix plus a mapped name) go
// through Fit where they must be a label or a label value.
func Fit(name string, max int) string {
	return fitFrom(name, name, max)
}

func fitFrom(name, original string, max int) string {
	if len(name) <= max {
		return name
	}
	keep := max - hashLen - 1
	return strings.TrimRight(name[:keep], "-") + "-" + hash(original)
}

// Hash is the 8-hex-digit hash the package appends to shortened names.
func Hash(s string) string { return hash(s) }

func hash(s string) string {
	return fmt.Sprintf("%x", sha256.Sum256([]byte(s)))[:hashLen]
}

// Table is the mapping of one set of compose names (the services of a pod,
// the volumes of a stack, ...) to Kubernetes names.
type Table struct {
	toK8s    map[string]string
	original map[string]string
}

// CollisionError says that two different compose names map to one
// Kubernetes name.
type CollisionError struct {
	Kind   string // "volume", "service", ...
	Names  [2]string
	Mapped string
}

func (e *CollisionError) Error() string {
	return fmt.Sprintf("%s names %q and %q both become %q in Kubernetes (lowercase, '_' and '.' become '-'); rename one of them",
		e.Kind, e.Names[0], e.Names[1], e.Mapped)
}

// NewTable maps every name in names; two names with one mapping are a
// *CollisionError (every collision is returned, joined).
func NewTable(kind string, names []string) (*Table, []error) {
	t := &Table{toK8s: map[string]string{}, original: map[string]string{}}
	var errs []error
	for _, n := range slices.Sorted(slices.Values(names)) {
		if _, done := t.toK8s[n]; done {
			continue
		}
		m := Label(n)
		if prev, taken := t.original[m]; taken {
			errs = append(errs, &CollisionError{Kind: kind, Names: [2]string{prev, n}, Mapped: m})
			continue
		}
		t.toK8s[n], t.original[m] = m, n
	}
	return t, errs
}

// K8s returns the Kubernetes name of a compose name of the table, or the
// rule's mapping for a name the table does not hold.
func (t *Table) K8s(name string) string {
	if m, ok := t.toK8s[name]; ok {
		return m
	}
	return Label(name)
}

// Original returns the compose name behind a Kubernetes name, or the name
// itself when the table does not hold it.
func (t *Table) Original(k8s string) string {
	if o, ok := t.original[k8s]; ok {
		return o
	}
	return k8s
}

// Renamed returns the compose names whose Kubernetes name differs, mapped
// to it.
func (t *Table) Renamed() map[string]string {
	out := map[string]string{}
	for _, o := range slices.Sorted(maps.Keys(t.toK8s)) {
		if t.toK8s[o] != o {
			out[o] = t.toK8s[o]
		}
	}
	return out
}

// AnnotationServices lists, on a pod template, the containers whose names
// differ from their compose services: "web.frontend=web-frontend,...".
// ps and status read it to show the compose names.
const AnnotationServices = "kubectl-stack.io/compose-services"

// FormatServices writes AnnotationServices' value for a compose → k8s map.
func FormatServices(renamed map[string]string) string {
	var pairs []string
	for _, written := range slices.Sorted(maps.Keys(renamed)) {
		pairs = append(pairs, written+"="+renamed[written])
	}
	return strings.Join(pairs, ",")
}

// ServiceName returns the compose name of a container, given the pod's
// AnnotationServices value.
func ServiceName(annotation, container string) string {
	for _, pair := range strings.Split(annotation, ",") {
		if written, k8s, ok := strings.Cut(pair, "="); ok && k8s == container {
			return written
		}
	}
	return container
}
