package cmd

import (
	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
)

// changeReport is what deploy, restart and stop print with -o json|yaml:
// what happened to each object, and the counts of their tally table.
type changeReport struct {
	Objects []objectChange `json:"objects"`
	// Tally is left out for a server dry run, which changes nothing.
	Tally *tallyCounts `json:"tally,omitempty"`
	// Restart's: the commits pulled ("before..after") and the files its
	// re-sync changed in the deployment directory.
	Commits      string `json:"commits,omitempty"`
	FilesChanged *int   `json:"filesChanged,omitempty"`
}

// objectChange is one object and what happened to it: created,
// configured, unchanged, replaced, pruned or deleted (a server dry run:
// what would happen).
type objectChange struct {
	Object string `json:"object"`
	Action string `json:"action"`
}

type tallyCounts struct {
	Created    int `json:"created"`
	Configured int `json:"configured"`
	Replaced   int `json:"replaced"`
	Pruned     int `json:"pruned"`
	Unchanged  int `json:"unchanged"`
	Deleted    int `json:"deleted"`
	// PodsRolled are the configured Deployments, whose pods roll.
	PodsRolled int `json:"podsRolled"`
}

// newChangeReport reports an apply or delete result (nil: nothing ran).
func newChangeReport(r *apply.Result) changeReport {
	rep := changeReport{Objects: []objectChange{}}
	if r == nil {
		return rep
	}
	for _, e := range r.Changes {
		rep.Objects = append(rep.Objects, objectChange{Object: e.Subject, Action: string(e.Action)})
	}
	for _, e := range r.Pruned {
		rep.Objects = append(rep.Objects, objectChange{Object: e.Subject, Action: "pruned"})
	}
	t := r.Tally()
	rep.Tally = &tallyCounts{Created: t.Created, Configured: t.Configured, Replaced: t.Replaced, Pruned: t.Pruned,
		Unchanged: t.Unchanged, Deleted: t.Deleted, PodsRolled: t.Rolled}
	return rep
}

// dryRunReport reports a server dry run.
func dryRunReport(changes []apply.Change) changeReport {
	rep := changeReport{Objects: []objectChange{}}
	for _, c := range changes {
		rep.Objects = append(rep.Objects, objectChange{Object: c.Subject, Action: string(c.Action)})
	}
	return rep
}
