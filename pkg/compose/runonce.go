package compose

import (
	"fmt"
	"strconv"
	"strings"
)

// A service runs once when its restart policy says docker compose does not
// start it again once it has exited successfully: restart: "no" (Never) or
// on-failure[:N] (started again only after a failure, at most N times), or
// the same through deploy.restart_policy.condition (none, on-failure with
// max_attempts), which docker compose applies over restart:. On Kubernetes
// such a service is a Job, not a Deployment that restarts it forever. A
// service that writes no policy keeps its Deployment: most services meant
// to stay up leave restart: out. The policy decides, never the command.

// RunOnce is how a service that runs once is tried again.
type RunOnce struct {
	// OnFailure: started again after a failure (on-failure); else never.
	OnFailure bool
	// Retries is on-failure's N (max_attempts); nil when it sets none
	// (docker compose then retries without limit).
	Retries *int32
	// Policy is the policy as written, for messages.
	Policy string
}

// RunsOnce returns how the service runs once, or false when it stays up
// (restart: always, unless-stopped, or none written).
func RunsOnce(svc Service) (RunOnce, bool) {
	if d := svc.Deploy; d != nil && d.RestartPolicy != nil {
		p := d.RestartPolicy
		written := "deploy.restart_policy.condition: " + p.Condition
		switch strings.ReplaceAll(p.Condition, "_", "-") {
		case "none":
			return RunOnce{Policy: written}, true
		case "on-failure":
			once := RunOnce{OnFailure: true, Policy: written}
			if p.MaxAttempts != nil {
				n := int32(min(*p.MaxAttempts, 1<<31-1))
				once.Retries = &n
			}
			return once, true
		}
		return RunOnce{}, false
	}
	name, max, _ := strings.Cut(svc.Restart, ":")
	written := fmt.Sprintf("restart: %q", svc.Restart)
	switch name {
	case "no":
		return RunOnce{Policy: written}, true
	case "on-failure":
		once := RunOnce{OnFailure: true, Policy: written}
		if n, err := strconv.ParseInt(max, 10, 32); err == nil && n >= 0 {
			n32 := int32(n)
			once.Retries = &n32
		}
		return once, true
	}
	return RunOnce{}, false
}

// JobPolicy is how a Job of the view's services is tried again: on
// failure when any of them asks for it, as often as the most patient of
// them (without limit when one sets none), else never. ok is false when
// none of them runs once by its policy (a service another waits to
// complete, or a stack's job).
func (f *File) JobPolicy() (RunOnce, bool) {
	var policies []RunOnce
	for _, name := range f.ServiceNames() {
		if once, ok := RunsOnce(f.Project.Services[name]); ok {
			policies = append(policies, once)
		}
	}
	if len(policies) == 0 {
		return RunOnce{}, false
	}
	out := policies[0]
	for _, p := range policies {
		if !p.OnFailure {
			continue
		}
		if !out.OnFailure {
			out = p
		}
		if p.Retries == nil || out.Retries != nil && *p.Retries > *out.Retries {
			out.Retries = p.Retries
		}
	}
	return out, true
}

// AllRunOnce reports whether every service of the view runs once by its
// policy.
func (f *File) AllRunOnce() bool {
	names := f.ServiceNames()
	for _, name := range names {
		if _, ok := RunsOnce(f.Project.Services[name]); !ok {
			return false
		}
	}
	return len(names) > 0
}
