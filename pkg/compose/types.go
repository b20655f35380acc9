package compose

import "github.com/compose-spec/compose-go/v2/types"

// The compose model the rest of kubectl-stack reads, named here so that
// compose-go is imported by this package only (hack/verify-imports.sh).
// They are compose-go's own types: a compose-go upgrade that changes them
// shows up in render, the package that translates them.
type (
	Service         = types.ServiceConfig
	Port            = types.ServicePortConfig
	HealthCheck     = types.HealthCheckConfig
	HealthCheckTest = types.HealthCheckTest
	Duration        = types.Duration
	NanoCPUs        = types.NanoCPUs
	Resource        = types.Resource
	Resources       = types.Resources
)

// Volume types of a service's volumes.
const (
	VolumeTypeBind   = types.VolumeTypeBind
	VolumeTypeTmpfs  = types.VolumeTypeTmpfs
	VolumeTypeVolume = types.VolumeTypeVolume
)

// ParsePort parses a port in compose's short syntax ("30080:80/udp").
func ParsePort(s string) ([]Port, error) { return types.ParsePortConfig(s) }
