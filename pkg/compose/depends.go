package compose

import (
	"fmt"
	"maps"
	"slices"

	"github.com/compose-spec/compose-go/v2/graph"
	"github.com/compose-spec/compose-go/v2/types"
)

// The conditions of depends_on, as docker compose waits for them before it
// starts the dependent service.
const (
	ConditionStarted   = types.ServiceConditionStarted
	ConditionHealthy   = types.ServiceConditionHealthy
	ConditionCompleted = types.ServiceConditionCompletedSuccessfully
)

// Dependency is one depends_on entry of a service.
type Dependency struct {
	// Service is the dependency's Kubernetes name.
	Service   string
	Condition string
	// Restart: the service is restarted when the dependency is (restart:
	// true), as docker compose restarts it.
	Restart bool
}

// Dependencies are the services name waits for, by name (in a view too,
// where they may be in another pod). A dependency that is not deployed
// (required: false, and left out by its profile) is not waited for, as
// docker compose does not wait for it.
func (f *File) Dependencies(name string) []Dependency {
	svc := f.Project.Services[name]
	var out []Dependency
	for _, dep := range slices.Sorted(maps.Keys(svc.DependsOn)) {
		if _, deployed := f.wholeProject()[dep]; !deployed {
			continue
		}
		cond := svc.DependsOn[dep].Condition
		if cond == "" {
			cond = ConditionStarted
		}
		out = append(out, Dependency{Service: dep, Condition: cond, Restart: svc.DependsOn[dep].Restart})
	}
	return out
}

// checkCycles refuses depends_on entries that wait for each other, which
// docker compose refuses too, naming the cycle.
func (f *File) checkCycles() error {
	if err := graph.CheckCycle(f.Project); err != nil {
		return fmt.Errorf("depends_on: %w; remove one of the entries of the cycle", err)
	}
	return nil
}
