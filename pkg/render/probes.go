package render

import (
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
)

// A compose healthcheck says when a container is healthy; docker compose
// never restarts a container for failing it. So it becomes a readiness
// probe (the pod takes traffic, and deploy's wait and depends_on go on,
// once it passes), and, when it has a start_period, a startup probe that
// gives the container that long (checked every start_interval) before the
// readiness probe counts. A liveness probe, which restarts the container,
// only when the service asks for it: x-kubectl-stack: {liveness: true}.

// Compose's defaults for a healthcheck that leaves them out.
const (
	defaultHealthTimeout       = 30 * time.Second
	defaultHealthStartInterval = 5 * time.Second
	defaultHealthRetries       = 3
)

// ExtensionKey is the service key of kubectl-stack's own settings.
const ExtensionKey = "x-kubectl-stack"

// probes are the container's readiness, startup and liveness probes.
func probes(svc compose.Service) (readiness, startup, liveness *corev1.Probe) {
	hc := svc.HealthCheck
	if hc == nil || hc.Disable || len(hc.Test) == 0 || hc.Test[0] == "NONE" {
		return nil, nil, nil
	}
	handler := corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: healthCommand(hc.Test)}}
	timeout := durationOr(hc.Timeout, defaultHealthTimeout)
	retries := int32(defaultHealthRetries)
	if hc.Retries != nil {
		retries = int32(*hc.Retries)
	}
	readiness = &corev1.Probe{ProbeHandler: handler, PeriodSeconds: seconds(hc.Interval), TimeoutSeconds: timeout, FailureThreshold: retries}
	if hc.StartPeriod != nil && *hc.StartPeriod > 0 {
		every := startInterval(hc)
		window := int32(time.Duration(*hc.StartPeriod).Round(time.Second) / time.Second)
		startup = &corev1.Probe{ProbeHandler: handler, PeriodSeconds: every, TimeoutSeconds: timeout, FailureThreshold: (window+every-1)/every + retries}
	}
	if wantsLiveness(svc) {
		live := *readiness
		liveness = &live
	}
	return readiness, startup, liveness
}

// startInterval is how often the start period is checked: start_interval,
// else every 5 s as Docker Engine 25 and later do, or every interval
// when that is shorter, as older engines (Debian's 20.10 among them) check
// the start period at the interval. A container is then never found
// healthy later than under either engine.
func startInterval(hc *compose.HealthCheck) int32 {
	if hc.StartInterval != nil && *hc.StartInterval > 0 {
		return seconds(hc.StartInterval)
	}
	every := int32(defaultHealthStartInterval / time.Second)
	if hc.Interval != nil && *hc.Interval > 0 {
		every = min(every, max(seconds(hc.Interval), 1))
	}
	return every
}

// healthCommand is the probe's command: CMD as it is, CMD-SHELL (or a
// plain string) through /bin/sh -c, as docker runs them.
func healthCommand(test compose.HealthCheckTest) []string {
	switch test[0] {
	case "CMD":
		return test[1:]
	case "CMD-SHELL":
		return []string{"/bin/sh", "-c", strings.Join(test[1:], " ")}
	}
	return []string{"/bin/sh", "-c", strings.Join(test, " ")}
}

func durationOr(d *compose.Duration, fallback time.Duration) int32 {
	if d != nil && *d > 0 {
		return seconds(d)
	}
	return int32(fallback / time.Second)
}

// wantsLiveness: the service's x-kubectl-stack asks for liveness: true.
func wantsLiveness(svc compose.Service) bool {
	ext, ok := svc.Extensions[ExtensionKey].(map[string]any)
	if !ok {
		return false
	}
	v, _ := ext["liveness"].(bool)
	return v
}
