package spec

// Deploy targets accepted in deploy-to.
const (
	DeployToK8s     = "k8s"
	DeployToKind    = "k8s-kind"
	DeployToCompose = "compose"
)

// Spec is the content of spec.yml. Field names follow laconic-so's keys
// (reference: laconic-so.md §2.4).
type Spec struct {
	Stack            string   `yaml:"stack"`
	DeployTo         string   `yaml:"deploy-to"`
	KubeConfig       string   `yaml:"kube-config,omitempty"`
	ImageRegistry    string   `yaml:"image-registry,omitempty"`
	Config           Config   `yaml:"config,omitempty"`
	CredentialsFiles []string `yaml:"credentials-files,omitempty"`
	Network          Network  `yaml:"network,omitempty"`
	// Volumes maps a compose named volume to a host path; "" (null in YAML)
	// means a PVC on the default storage class.
	Volumes    map[string]string `yaml:"volumes,omitempty"`
	ConfigMaps map[string]string `yaml:"configmaps,omitempty"`
	// Secrets maps a Secret name to its keys; every container gets the
	// Secret as an optional envFrom. The key list is informational.
	Secrets         map[string][]string `yaml:"secrets,omitempty"`
	Resources       Resources           `yaml:"resources,omitempty"`
	Security        Security            `yaml:"security,omitempty"`
	Annotations     map[string]string   `yaml:"annotations,omitempty"`
	Labels          map[string]string   `yaml:"labels,omitempty"`
	Replicas        *int32              `yaml:"replicas,omitempty"`
	NodeAffinities  []NodeAffinity      `yaml:"node-affinities,omitempty"`
	NodeTolerations []NodeToleration    `yaml:"node-tolerations,omitempty"`
	Namespace       string              `yaml:"namespace,omitempty"`
	// AllowDefaultNamespace lets namespace: default be used; the other
	// system namespaces are never a deployment's.
	AllowDefaultNamespace bool `yaml:"allow-default-namespace,omitempty"`
	// Hooks are the stack hooks the operator allowed, by event, each as the
	// sha256 digest of the hook file read when it was allowed; a hook runs
	// only when its digest is recorded here (or with --allow-hooks).
	Hooks map[string]string `yaml:"hooks,omitempty"`
	// PodPerService runs each compose service in its own pod, as docker
	// compose runs each in its own container; false (laconic-so's model):
	// one pod per compose file, whose services share localhost.
	PodPerService     bool   `yaml:"pod-per-service,omitempty"`
	KindClusterName   string `yaml:"kind-cluster-name,omitempty"`
	KindMountRoot     string `yaml:"kind-mount-root,omitempty"`
	KindNodeImage     string `yaml:"kind-node-image,omitempty"`
	CaddyIngressImage string `yaml:"caddy-ingress-image,omitempty"`
	// IngressControllerImage is the image of the ingress controller
	// deploy installs on kind (a Traefik v3 image).
	IngressControllerImage string `yaml:"ingress-controller-image,omitempty"`
	// CopyUpImage is the image of the copy-up init container, which
	// fills a new volume with the image's files at its path as docker
	// does (the kubectl-stack binary, run as "copy-up"): on kind deploy
	// makes kubectl-stack/copy-up:1 from the plugin itself; elsewhere,
	// copy-up is off unless this names the image; "none" turns it off.
	CopyUpImage     string            `yaml:"copy-up-image,omitempty"`
	ImagePullPolicy string            `yaml:"image-pull-policy,omitempty"`
	ImageOverrides  map[string]string `yaml:"image-overrides,omitempty"`
	// ImagePullSecret is laconic-so's current name for the registry
	// credentials; RegistryCredentials is the seed document's name. Both mean
	// the same; use Credentials() to read whichever is set.
	ImagePullSecret     *RegistryCredentials       `yaml:"image-pull-secret,omitempty"`
	RegistryCredentials *RegistryCredentials       `yaml:"registry-credentials,omitempty"`
	MaintenanceService  string                     `yaml:"maintenance-service,omitempty"`
	ExternalServices    map[string]ExternalService `yaml:"external-services,omitempty"`
	CACertificates      []string                   `yaml:"ca-certificates,omitempty"`

	// written maps normalized volume and configmap keys back to the
	// spelling of the spec file, for messages.
	written map[string]string
}

// Network holds ports and ingress routes.
type Network struct {
	// Ports replaces the compose ports of the named services.
	Ports     map[string]PortList `yaml:"ports,omitempty"`
	HTTPProxy []HTTPProxy         `yaml:"http-proxy,omitempty"`
	ACMEEmail string              `yaml:"acme-email,omitempty"`
}

// HTTPProxy is one ingress host.
type HTTPProxy struct {
	HostName string  `yaml:"host-name"`
	Routes   []Route `yaml:"routes"`
}

// Route sends a path prefix to "service:port".
type Route struct {
	Path    string `yaml:"path"`
	ProxyTo string `yaml:"proxy-to"`
}

// Resources holds container and volume sizes.
type Resources struct {
	Containers ContainerResources `yaml:"containers,omitempty"`
	Volumes    VolumeResources    `yaml:"volumes,omitempty"`
}

// ContainerResources is the default block for every container plus
// per-container blocks keyed by compose service name.
type ContainerResources struct {
	Reservations *Quantities              `yaml:"reservations,omitempty"`
	Limits       *Quantities              `yaml:"limits,omitempty"`
	PerContainer map[string]ResourceBlock `yaml:",inline"`
}

// ResourceBlock is one container's reservations and limits.
type ResourceBlock struct {
	Reservations *Quantities `yaml:"reservations,omitempty"`
	Limits       *Quantities `yaml:"limits,omitempty"`
}

// Quantities are CPU and memory amounts.
type Quantities struct {
	CPUs   *Quantity `yaml:"cpus,omitempty"`
	Memory *Quantity `yaml:"memory,omitempty"`
}

// VolumeResources is the default volume size plus per-volume sizes.
type VolumeResources struct {
	Reservations *StorageRequest          `yaml:"reservations,omitempty"`
	PerVolume    map[string]VolumeRequest `yaml:",inline"`
}

// VolumeRequest is one volume's size.
type VolumeRequest struct {
	Reservations *StorageRequest `yaml:"reservations,omitempty"`
}

// StorageRequest is a volume size.
type StorageRequest struct {
	Storage *Quantity `yaml:"storage,omitempty"`
}

// Security holds pod and container security settings.
type Security struct {
	Privileged       Bool     `yaml:"privileged,omitempty"`
	Capabilities     []string `yaml:"capabilities,omitempty"`
	UnlimitedMemlock Bool     `yaml:"unlimited-memlock,omitempty"`
	RuntimeClass     string   `yaml:"runtime-class,omitempty"`
}

// NodeAffinity requires nodes labelled label=value.
type NodeAffinity struct {
	Label string `yaml:"label"`
	Value string `yaml:"value"`
}

// NodeToleration tolerates the NoSchedule taint key=value.
type NodeToleration struct {
	Key   string `yaml:"key"`
	Value string `yaml:"value"`
}

// RegistryCredentials authenticate image pulls. The token is read at deploy
// time from token-file or the variable named by token-env; it never lives in
// the spec.
type RegistryCredentials struct {
	Server    string `yaml:"server"`
	Username  string `yaml:"username"`
	TokenEnv  string `yaml:"token-env,omitempty"`
	TokenFile string `yaml:"token-file,omitempty"`
}

// ExternalService is a Service pointing outside the deployment: by host name,
// by IP, or by a pod selector in another namespace.
type ExternalService struct {
	Host      string            `yaml:"host,omitempty"`
	IP        string            `yaml:"ip,omitempty"`
	Selector  map[string]string `yaml:"selector,omitempty"`
	Namespace string            `yaml:"namespace,omitempty"`
	Port      int32             `yaml:"port,omitempty"`
}

// Credentials returns the registry credentials under either key name.
func (s *Spec) Credentials() *RegistryCredentials {
	if s.RegistryCredentials != nil {
		return s.RegistryCredentials
	}
	return s.ImagePullSecret
}
