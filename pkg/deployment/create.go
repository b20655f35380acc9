package deployment

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/kubectl-stack/kubectl-stack/pkg/gitrepo"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// CreateOptions are the inputs of Create.
type CreateOptions struct {
	SpecPath string
	Dir      string
	Update   bool
	// ListClusters lists running kind clusters; the cluster-id is inherited
	// from one when it exists.
	ListClusters func() ([]string, error)
	Now          func() time.Time
}

// CreateResult reports what Create did.
type CreateResult struct {
	Dir      string
	Record   *Record
	Plan     *Plan
	Update   *UpdateResult
	Warnings []string
}

// Create writes a new deployment directory, or re-syncs an existing one
// with Update. Everything is validated before anything is written.
func Create(ctx context.Context, o CreateOptions) (*CreateResult, error) {
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, err
	}
	specPath, err := filepath.Abs(o.SpecPath)
	if err != nil {
		return nil, err
	}
	if o.Update {
		return update(ctx, specPath, dir)
	}
	if _, err := os.Lstat(dir); err == nil {
		return nil, &ExistsError{Dir: o.Dir}
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	id := NewID(now())
	plan, err := BuildPlan(ctx, Inputs{SpecPath: specPath, Dir: dir, DeploymentID: id})
	if err != nil {
		return nil, err
	}
	res := &CreateResult{Dir: dir, Plan: plan, Warnings: plan.Warnings}
	clusterID, warn := chooseClusterID(plan.Spec, o.ListClusters, func() string { return NewID(now()) }, id)
	if warn != "" {
		res.Warnings = append(res.Warnings, warn)
	}
	res.Record = newRecord(ctx, clusterID, id, plan, specPath)
	if err := WriteNew(plan, res.Record); err != nil {
		return nil, err
	}
	if err := ensureGenerated(dir, plan.Spec.Config); err != nil {
		return nil, err
	}
	return res, nil
}

func update(ctx context.Context, specPath, dir string) (*CreateResult, error) {
	// Only a directory create made (its deployment.yml) is re-synced: an
	// update writes and removes files, so any other directory is refused.
	if info, err := os.Stat(filepath.Join(dir, DeploymentFile)); err != nil || !info.Mode().IsRegular() {
		return nil, &NotDeploymentError{Dir: dir}
	}
	rec, err := ReadRecord(dir)
	if err != nil {
		return nil, err
	}
	plan, err := BuildPlan(ctx, Inputs{SpecPath: specPath, Dir: dir, DeploymentID: rec.DeploymentID})
	if err != nil {
		return nil, err
	}
	up, err := Update(plan)
	if err != nil {
		return nil, fmt.Errorf("updating %s: %w", dir, err)
	}
	if err := ensureGenerated(dir, plan.Spec.Config); err != nil {
		return nil, err
	}
	return &CreateResult{Dir: dir, Record: rec, Plan: plan, Update: up, Warnings: plan.Warnings}, nil
}

// chooseClusterID picks the kind cluster to join: the spec's
// kind-cluster-name, else a running kind cluster, else a fresh ID. A
// deployment to a plain k8s cluster gets a fresh ID (no kind involved).
func chooseClusterID(s *spec.Spec, list func() ([]string, error), fresh func() string, deploymentID string) (string, string) {
	if s.KindClusterName != "" {
		return s.KindClusterName, ""
	}
	newID := func() string {
		for {
			if id := fresh(); id != deploymentID {
				return id
			}
		}
	}
	if s.DeployTo != spec.DeployToKind || list == nil {
		return newID(), ""
	}
	clusters, err := list()
	if err != nil || len(clusters) == 0 {
		return newID(), ""
	}
	sort.Strings(clusters)
	if len(clusters) > 1 {
		return clusters[0], fmt.Sprintf("several kind clusters are running (%v); joining %q. Set kind-cluster-name in the spec to choose another", clusters, clusters[0])
	}
	return clusters[0], ""
}

func newRecord(ctx context.Context, clusterID, id string, plan *Plan, specPath string) *Record {
	r := &Record{ClusterID: clusterID, DeploymentID: id, SpecSource: specPath}
	r.StackSource = plan.Stack.Dir
	if plan.Stack.DefinitionFile == "" && len(plan.Stack.Pods) == 1 {
		r.StackSource = plan.Stack.Pods[0].ComposeFile
	}
	if plan.Stack.Name != stackNameOf(plan.Spec.Stack) {
		r.StackName = plan.Stack.Name
	}
	if info, ok := gitrepo.Describe(ctx, plan.Stack.Dir); ok {
		r.StackRepository = &Repository{Root: info.Root, Commit: info.Commit}
	}
	if info, ok := gitrepo.Describe(ctx, filepath.Dir(specPath)); ok {
		r.SpecRepository = &Repository{Root: info.Root, Commit: info.Commit}
	}
	return r
}
