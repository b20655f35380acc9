package compose

import (
	"cmp"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
)

// Bind is a host path bound into a service: static content that becomes a
// ConfigMap on Kubernetes.
type Bind struct {
	Service string
	// Source is the host path as written in the compose file.
	Source string
	// Resolved is Source made absolute against the compose file's directory.
	Resolved   string
	Target     string
	ReadOnly   bool
	ExplicitRW bool
}

// HostBinds returns every bind of a host path, in service order.
// expandHome expands a leading "~" the way the rest of kubectl-stack does.
func (f *File) HostBinds(expandHome func(string) string) []Bind {
	var out []Bind
	dir := filepath.Dir(f.Path)
	for _, name := range f.ServiceNames() {
		written := f.writtenSources(name, dir, expandHome)
		for _, v := range f.Project.Services[name].Volumes {
			if v.Type != types.VolumeTypeBind {
				continue
			}
			resolved := resolve(dir, expandHome(v.Source))
			source, ok := written[resolved]
			if !ok {
				// Inherited through extends: compose-go made it absolute
				// against the extended file's directory. Below this file's
				// directory it is stack content, written relative there.
				source = relativeTo(dir, v.Source)
			}
			out = append(out, Bind{
				Service: name, Source: source, Resolved: resolved,
				Target: v.Target, ReadOnly: v.ReadOnly, ExplicitRW: f.explicitRW[f.ServiceName(name)+"\x00"+source],
			})
		}
	}
	return out
}

// relativeTo writes p as a compose file in dir would when p lies below
// dir ("./frontend", "."), else as it is.
func relativeTo(dir, p string) string {
	rel, err := filepath.Rel(dir, p)
	switch {
	case err != nil || strings.HasPrefix(rel, ".."):
		return p
	case rel == ".":
		return rel
	}
	return "./" + filepath.ToSlash(rel)
}

func resolve(dir, p string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	return filepath.Clean(p)
}

// NamedVolume is a top-level named volume that some service mounts.
type NamedVolume struct {
	Name string
	// ReadOnly is true when every mount of the volume is read-only.
	ReadOnly bool
	// DataDir is the bind source a data volume was made of ("" for a
	// volume the compose file declares).
	DataDir string
}

// NamedVolumes returns the top-level volumes used by a service, sorted.
func (f *File) NamedVolumes() []NamedVolume {
	ro := map[string]bool{}
	for _, name := range f.ServiceNames() {
		for _, v := range f.Project.Services[name].Volumes {
			if v.Type != types.VolumeTypeVolume || v.Source == "" {
				continue
			}
			if _, declared := f.Project.Volumes[v.Source]; !declared {
				continue
			}
			prev, seen := ro[v.Source]
			ro[v.Source] = v.ReadOnly && (!seen || prev)
		}
	}
	out := make([]NamedVolume, 0, len(ro))
	data := f.DataVolumes()
	for name, readOnly := range ro {
		out = append(out, NamedVolume{Name: name, ReadOnly: readOnly, DataDir: data[name]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Ports returns each service's ports written in compose short syntax, for
// services that publish or expose any.
func (f *File) Ports() map[string][]string {
	out := map[string][]string{}
	for _, name := range f.ServiceNames() {
		for _, p := range f.Project.Services[name].Ports {
			out[name] = append(out[name], PortString(p))
		}
	}
	return out
}

// PortString writes a port in short syntax: [host_ip:][published:]target[/udp].
func PortString(p types.ServicePortConfig) string {
	s := fmt.Sprint(p.Target)
	if p.Published != "" {
		s = p.Published + ":" + s
		if p.HostIP != "" {
			s = p.HostIP + ":" + s
		}
	}
	if p.Protocol != "" && p.Protocol != "tcp" {
		s += "/" + p.Protocol
	}
	return s
}

// HostNetworkServices returns the services with network_mode: host.
func (f *File) HostNetworkServices() []string {
	var out []string
	for _, name := range f.ServiceNames() {
		if f.Project.Services[name].NetworkMode == "host" {
			out = append(out, name)
		}
	}
	return out
}

// EnvFiles returns the env_file paths of every service (absolute) and the
// project's .env, leaving out optional env files (required: false) that
// do not exist.
func (f *File) EnvFiles() []string {
	var out []string
	for _, name := range f.ServiceNames() {
		for _, e := range f.Project.Services[name].EnvFiles {
			if _, err := os.Stat(e.Path); err == nil || bool(e.Required) {
				out = append(out, e.Path)
			}
		}
	}
	if f.DotEnv != "" {
		out = append(out, f.DotEnv)
	}
	return out
}

// OtherFiles returns the files compose-go read besides the compose file:
// further compose files of the project, files services extend, included
// files and the env files of includes (absolute, each once). compose-go
// merges them and does not keep where a service came from.
func (f *File) OtherFiles() []string {
	return f.otherFiles
}

// ContainerPort is a port a service listens on.
type ContainerPort struct {
	// Port is a number ("8080"), or an expose range as written ("8000-8010").
	Port string
	// Protocol is lowercase: tcp, udp or sctp.
	Protocol string
}

func (p ContainerPort) String() string { return p.Port + "/" + p.Protocol }

// ContainerPorts returns the ports a service listens on, each once: its
// ports' targets, then its expose entries (reachable by other services but
// not published).
func ContainerPorts(svc Service) []ContainerPort {
	var out []ContainerPort
	add := func(port, proto string) {
		if n, err := strconv.Atoi(port); err == nil {
			port = strconv.Itoa(n)
		}
		if p := (ContainerPort{Port: port, Protocol: strings.ToLower(cmp.Or(proto, "tcp"))}); !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	for _, p := range svc.Ports {
		add(fmt.Sprint(p.Target), p.Protocol)
	}
	for _, e := range svc.Expose {
		port, proto, _ := strings.Cut(e, "/")
		add(port, proto)
	}
	return out
}

// IsInitContainer reports whether a service carries laconic-so's
// laconic.init-container label: it runs to completion before the others.
func IsInitContainer(svc Service) bool {
	v := strings.ToLower(svc.Labels["laconic.init-container"])
	return v == "true" || v == "1" || v == "yes"
}

// LoopbackOnly reports whether a port is published on a loopback address
// only ("127.0.0.1:3000:3000"): reachable from the docker host alone.
func LoopbackOnly(p types.ServicePortConfig) bool {
	ip := net.ParseIP(p.HostIP)
	return ip != nil && ip.IsLoopback()
}

// CheckImage reports whether image is a valid image reference once
// interpolated ("${REGISTRY}/app:${TAG}" with both unset is "/app:", which
// no runtime can pull).
func CheckImage(image string) error {
	_, err := reference.ParseNormalizedNamed(image)
	if err == nil {
		return nil
	}
	if part := offendingPart(image); part != "" {
		return fmt.Errorf("%w: %s", err, part)
	}
	return err
}

var (
	anchoredTag       = regexp.MustCompile(`^` + reference.TagRegexp.String() + `$`)
	anchoredComponent = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$`)
)

// offendingPart names the part of an invalid reference that makes it so:
// a tag holding a literal placeholder ("app:|version|"), a path component
// with capitals or spaces, an empty one ("/app" after an unset variable).
func offendingPart(image string) string {
	name, digest, hasDigest := strings.Cut(image, "@")
	if hasDigest && !strings.HasPrefix(digest, "sha256:") {
		return fmt.Sprintf("the digest %q is not sha256:<64 hex digits>", digest)
	}
	slash := strings.LastIndex(name, "/")
	tag, hasTag := "", false
	if colon := strings.LastIndex(name, ":"); colon > slash {
		name, tag, hasTag = name[:colon], name[colon+1:], true
	}
	parts := strings.Split(name, "/")
	for i, c := range parts {
		registry := i == 0 && len(parts) > 1 && (strings.ContainsAny(c, ".:") || c == "localhost")
		if !registry && !anchoredComponent.MatchString(c) {
			return fmt.Sprintf("the name part %q is not one (lowercase letters and digits, separated by '.', '_', '__' or '-')", c)
		}
	}
	if hasTag && !anchoredTag.MatchString(tag) {
		return fmt.Sprintf("the tag %q is not a tag (1 to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-')", tag)
	}
	return ""
}
