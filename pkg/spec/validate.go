package spec

import (
	"fmt"
	"maps"
	"net"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
)

// SystemNamespaces are the cluster's own namespaces, never a deployment's.
var SystemNamespaces = []string{"kube-system", "kube-public", "kube-node-lease"}

// HookEvents are the events a stack hook may be allowed for.
var HookEvents = []string{"create", "start"}

var hookDigest = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// NodePort range of a default kube-apiserver (--service-node-port-range).
const (
	NodePortMin = 30000
	NodePortMax = 32767
)

// Validate checks the values of a spec that can be checked without the
// filesystem or a cluster. file names the spec in messages. All problems are
// returned, each naming the field and the fix.
func Validate(file string, s *Spec) []error {
	v := &checker{file: file}
	v.deployTarget(s)
	v.names(s)
	v.volumePaths(s)
	v.ports(s)
	v.credentials(s)
	v.httpProxy(s)
	v.externalServices(s)
	v.misc(s)
	return v.errs
}

type checker struct {
	file string
	errs []error
}

func (c *checker) fail(field, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%s: %s: %s", c.file, field, fmt.Sprintf(format, args...)))
}

func (c *checker) deployTarget(s *Spec) {
	if s.Stack == "" {
		c.fail("stack", "is required; set it to the path of the stack directory (the one holding stack.yml) or of a compose file")
	}
	switch s.DeployTo {
	case DeployToK8s, DeployToKind:
	case "", DeployToCompose:
		c.fail("deploy-to", "is %q; kubectl-stack deploys to Kubernetes: set deploy-to: k8s-kind (a local kind cluster) or deploy-to: k8s", s.DeployTo)
	default:
		c.fail("deploy-to", "unknown target %q; use k8s-kind or k8s", s.DeployTo)
	}
}

func (c *checker) names(s *Spec) {
	if s.Namespace != "" {
		for _, msg := range validation.IsDNS1123Label(s.Namespace) {
			c.fail("namespace", "%q is not a valid namespace name: %s", s.Namespace, msg)
		}
	}
	switch {
	case slices.Contains(SystemNamespaces, s.Namespace):
		c.fail("namespace", "%q is the cluster's own namespace; a deployment there could replace or prune what the cluster runs on: pick a namespace of its own", s.Namespace)
	case s.Namespace == "default" && !s.AllowDefaultNamespace:
		c.fail("namespace", "\"default\" is shared by everything that names no namespace; pick a namespace of its own, or set allow-default-namespace: true if this deployment is meant to live there")
	}
	for _, event := range slices.Sorted(maps.Keys(s.Hooks)) {
		if !slices.Contains(HookEvents, event) {
			c.fail("hooks."+event, "is not a hook event; the events are %s", strings.Join(HookEvents, ", "))
		}
		if !hookDigest.MatchString(s.Hooks[event]) {
			c.fail("hooks."+event, "%q is not a hook digest; it is sha256:<64 hex digits>, as kubectl stack init --allow-hooks writes it", s.Hooks[event])
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.Secrets)) {
		for _, msg := range validation.IsDNS1123Subdomain(name) {
			c.fail("secrets."+name, "%q is not a valid Secret name: %s", name, msg)
		}
	}
}

func (c *checker) volumePaths(s *Spec) {
	if s.KindMountRoot != "" {
		if s.DeployTo == DeployToK8s {
			c.fail("kind-mount-root", "applies only to deploy-to: k8s-kind; remove it or switch to k8s-kind")
		}
		if root := ExpandHome(s.KindMountRoot); !filepath.IsAbs(root) {
			c.fail("kind-mount-root", "%q must be an absolute host path such as /srv/kind", s.KindMountRoot)
		}
	}
	if s.DeployTo != DeployToK8s {
		return
	}
	for _, name := range slices.Sorted(maps.Keys(s.Volumes)) {
		p := s.Volumes[name]
		if p != "" && !filepath.IsAbs(ExpandHome(p)) {
			c.fail("volumes."+s.Written(name), "relative path %q is not supported with deploy-to: k8s (the path must exist on the node); use an absolute path provisioned on each node, or leave it empty for a PVC", p)
		}
	}
}

func (c *checker) ports(s *Spec) {
	for _, svc := range slices.Sorted(maps.Keys(s.Network.Ports)) {
		for _, p := range s.Network.Ports[svc] {
			if err := CheckPort(p); err != nil {
				c.fail("network.ports."+svc, "%v", err)
			}
		}
	}
}

// CheckPort validates one compose-style port string ("80", "30080:80",
// "9000/udp"). A published (host) port becomes a NodePort, so it must lie in
// 30000-32767.
func CheckPort(port string) error {
	parsed, err := compose.ParsePort(port)
	if err != nil {
		return fmt.Errorf("port %q: %v", port, err)
	}
	for _, p := range parsed {
		if p.Published == "" {
			continue
		}
		lo, hi := p.Published, p.Published
		if a, b, ok := strings.Cut(p.Published, "-"); ok {
			lo, hi = a, b
		}
		for _, h := range []string{lo, hi} {
			n, err := strconv.Atoi(h)
			if err != nil || n < NodePortMin || n > NodePortMax {
				return fmt.Errorf("port %q: host port %s is outside the NodePort range %d-%d; use a host port in that range (e.g. \"30080:%d\") or only the container port (\"%d\")",
					port, h, NodePortMin, NodePortMax, p.Target, p.Target)
			}
		}
	}
	return nil
}

func (c *checker) credentials(s *Spec) {
	if s.ImagePullSecret != nil && s.RegistryCredentials != nil && *s.ImagePullSecret != *s.RegistryCredentials {
		c.fail("registry-credentials", "both registry-credentials and image-pull-secret are set and differ; keep one of them")
	}
	cred, field := s.RegistryCredentials, "registry-credentials"
	if cred == nil {
		cred, field = s.ImagePullSecret, "image-pull-secret"
	}
	if cred == nil {
		return
	}
	if cred.Server == "" {
		c.fail(field+".server", "is required (e.g. ghcr.io)")
	}
	if cred.Username == "" {
		c.fail(field+".username", "is required")
	}
	if cred.TokenEnv == "" && cred.TokenFile == "" {
		c.fail(field, "needs token-env (the name of an environment variable holding the token) or token-file; the token itself never goes in the spec")
	}
	if cred.TokenEnv != "" && strings.ContainsAny(cred.TokenEnv, "=$ ") {
		c.fail(field+".token-env", "must be the NAME of an environment variable (e.g. REGISTRY_TOKEN), not its value")
	}
}

func (c *checker) httpProxy(s *Spec) {
	for i, hp := range s.Network.HTTPProxy {
		field := fmt.Sprintf("network.http-proxy[%d]", i)
		if hp.HostName == "" {
			c.fail(field+".host-name", "is required")
		}
		for j, r := range hp.Routes {
			rf := fmt.Sprintf("%s.routes[%d]", field, j)
			if !strings.HasPrefix(r.Path, "/") {
				c.fail(rf+".path", "%q must start with /", r.Path)
			}
			if _, _, err := SplitProxyTo(r.ProxyTo); err != nil {
				c.fail(rf+".proxy-to", "%v", err)
			}
		}
	}
	if m := s.MaintenanceService; m != "" {
		if _, _, err := SplitProxyTo(m); err != nil {
			c.fail("maintenance-service", "%v", err)
		} else if len(s.Network.HTTPProxy) == 0 {
			c.fail("maintenance-service", "is set, but there are no network.http-proxy routes to swap to it during restart; add routes or remove it")
		}
	}
}

// SplitProxyTo splits "service:port".
func SplitProxyTo(v string) (string, int32, error) {
	svc, port, ok := strings.Cut(v, ":")
	n, err := strconv.ParseInt(port, 10, 32)
	if !ok || svc == "" || err != nil || n < 1 || n > 65535 {
		return "", 0, fmt.Errorf("%q must be <compose service>:<port>, e.g. web:8080", v)
	}
	return k8sname.Label(svc), int32(n), nil
}

func (c *checker) externalServices(s *Spec) {
	for _, name := range slices.Sorted(maps.Keys(s.ExternalServices)) {
		es := s.ExternalServices[name]
		set := 0
		for _, b := range []bool{es.Host != "", es.IP != "", len(es.Selector) > 0} {
			if b {
				set++
			}
		}
		field := "external-services." + name
		if set != 1 {
			c.fail(field, "set exactly one of host, ip or selector")
		}
		c.externalService(field, name, es)
	}
}

// externalService checks one entry's name, target and port.
func (c *checker) externalService(field, name string, es ExternalService) {
	for _, msg := range validation.IsDNS1035Label(name) {
		c.fail(field, "%q is not a valid Service name (it becomes one, as in laconic-so): %s", name, msg)
	}
	if es.Host != "" {
		for _, msg := range validation.IsDNS1123Subdomain(es.Host) {
			c.fail(field+".host", "%q is not a DNS name: %s", es.Host, msg)
		}
	}
	if es.IP != "" && net.ParseIP(es.IP) == nil {
		c.fail(field+".ip", "%q is not an IP address", es.IP)
	}
	if es.Port < 0 || es.Port > 65535 {
		c.fail(field+".port", "%d is not a port (1-65535; leave it out for 443)", es.Port)
	}
	if len(es.Selector) > 0 && es.Namespace == "" {
		c.fail(field+".namespace", "is required with selector: the namespace whose pods the selector picks")
	}
	if es.Namespace != "" {
		for _, msg := range validation.IsDNS1123Label(es.Namespace) {
			c.fail(field+".namespace", "%q is not a namespace name: %s", es.Namespace, msg)
		}
	}
	for k, v := range es.Selector {
		for _, msg := range append(validation.IsQualifiedName(k), validation.IsValidLabelValue(v)...) {
			c.fail(field+".selector", "%s=%s is not a valid label: %s", k, v, msg)
		}
	}
}

// ExternalPort is an external service's port: 443 unless set.
func (es ExternalService) ExternalPort() int32 {
	if es.Port == 0 {
		return 443
	}
	return es.Port
}

func (c *checker) misc(s *Spec) {
	switch s.ImagePullPolicy {
	case "", "Always", "IfNotPresent", "Never":
	default:
		c.fail("image-pull-policy", "%q is not one of Always, IfNotPresent, Never", s.ImagePullPolicy)
	}
	if s.Replicas != nil && *s.Replicas < 0 {
		c.fail("replicas", "must be 0 or more")
	}
	if s.CopyUpImage != "" && s.CopyUpImage != "none" {
		if err := compose.CheckImage(s.CopyUpImage); err != nil {
			c.fail("copy-up-image", "%v; name an image of the kubectl-stack executable at /kubectl-stack, or none", err)
		}
	}
	for i, a := range s.NodeAffinities {
		if a.Label == "" {
			c.fail(fmt.Sprintf("node-affinities[%d].label", i), "is required")
		}
	}
	for i, t := range s.NodeTolerations {
		if t.Key == "" {
			c.fail(fmt.Sprintf("node-tolerations[%d].key", i), "is required")
		}
	}
	if s.KindClusterName != "" {
		if err := ValidKindName(s.KindClusterName); err != nil {
			c.fail("kind-cluster-name", "%v", err)
		}
	}
}

// ValidKindName checks kind's cluster-name rule.
func ValidKindName(name string) error {
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-') {
			return fmt.Errorf("%q is not a valid kind cluster name: use lowercase letters, digits, '.' and '-'", name)
		}
	}
	if name == "" {
		return fmt.Errorf("kind cluster name is empty")
	}
	return nil
}
