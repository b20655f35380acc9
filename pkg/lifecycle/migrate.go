package lifecycle

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/kindcluster"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// defaultMountRoot is the kind-mount-root a migration plan proposes when the
// deployment's spec sets none.
const defaultMountRoot = "/srv/kind"

// MigratePlan is the migration of a kind cluster to an umbrella mount.
type MigratePlan struct {
	Cluster string `json:"cluster"`
	// Umbrella is the host source of the live /mnt mount, if any: then no
	// migration is needed.
	Umbrella  string `json:"umbrella,omitempty"`
	MountRoot string `json:"proposedMountRoot"`
	// NodeLocal are the PVs whose data is lost when the cluster is deleted.
	NodeLocal []apply.Volume `json:"nodeLocalVolumes"`
	// HostMounts are the live per-volume mounts (node path → host path)
	// outside the proposed root, whose data must move under it.
	HostMounts  map[string]string      `json:"hostMountsToMove,omitempty"`
	Deployments []apply.OwnedNamespace `json:"deployments"`
	Steps       []string               `json:"steps"`
}

// MigratePlan reads the target's kind cluster and plans its move to an
// umbrella mount; it changes nothing.
func (l *Lifecycle) MigratePlan(ctx context.Context, t *Target) (*MigratePlan, error) {
	k, err := l.kindCluster(t)
	if err != nil {
		return nil, err
	}
	c, err := l.Connect(t.Context)
	if err != nil {
		return nil, err
	}
	node, live, err := k.liveMounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the mounts of kind cluster %s: %w", k.name, err)
	}
	nodeLocal, err := nodeLocalVolumes(ctx, c, live)
	if err != nil {
		return nil, err
	}
	deps, err := c.Deployments(ctx)
	if err != nil {
		return nil, err
	}
	plan := &MigratePlan{
		Cluster: k.name, Umbrella: live[kindcluster.NodeMountRoot], NodeLocal: nodeLocal, Deployments: deps,
		MountRoot: cmp.Or(t.Deployment.Spec.KindMountRoot, live[kindcluster.NodeMountRoot], defaultMountRoot),
	}
	if plan.Umbrella == "" {
		plan.HostMounts = mountsToMove(live, plan.MountRoot)
		plan.Steps = migrationSteps(plan, node, t.Dir())
	}
	return plan, nil
}

// mountsToMove are the node's per-volume mounts whose host path lies
// outside root: after the recreate only root is bound into the node.
func mountsToMove(live map[string]string, root string) map[string]string {
	out := map[string]string{}
	for dest, src := range live {
		if _, under := spec.Within(kindcluster.NodeMountRoot, dest); !under || dest == kindcluster.NodeMountRoot {
			continue
		}
		if _, inRoot := spec.Within(root, src); !inRoot {
			out[dest] = src
		}
	}
	return out
}

// migrationSteps is the seed's procedure ("Migrating an Existing Cluster")
// with this cluster's names and paths, as kubectl stack commands.
func migrationSteps(p *MigratePlan, node, dir string) []string {
	var steps []string
	add := func(format string, args ...any) { steps = append(steps, fmt.Sprintf(format, args...)) }
	backup := "Back up the data that lives only inside the node (it does not survive kind delete):"
	for _, v := range p.NodeLocal {
		if v.NodePath != "" {
			backup += fmt.Sprintf("\n     docker exec %s tar -C %s -cf - . > %s.tar    # claim %s", node, v.NodePath, v.Name, cmp.Or(v.Claim, "-"))
		} else {
			backup += fmt.Sprintf("\n     %s (claim %s): not a host path; back it up from a pod that mounts it", v.Name, cmp.Or(v.Claim, "-"))
		}
	}
	if len(p.NodeLocal) == 0 {
		backup += " none found."
	}
	add("%s", backup)
	dirs := deploymentDirs(p, dir)
	edit := fmt.Sprintf("In every stack's spec.yml set kind-mount-root: %s and give each volume a host path under %s/ (for example %s/<stack>/<volume>), then re-sync each deployment:", p.MountRoot, p.MountRoot, p.MountRoot)
	for _, dep := range dirs {
		edit += fmt.Sprintf("\n     kubectl stack create --spec-file %s --deployment-dir %s --update", specOf(dep), dep)
	}
	add("%s", edit)
	stop := "Stop every deployment, keeping the cluster for now:"
	for _, dep := range dirs {
		stop += fmt.Sprintf("\n     kubectl stack stop -d %s --skip-cluster-management", dep)
	}
	add("%s", stop)
	add("Delete the cluster (host directories are kept):\n     kubectl stack kind delete -d %s --force", dir)
	restore := fmt.Sprintf("Put the data in the volumes' new host paths under %s/: restore each backup\n     mkdir -p %s/<stack>/<volume> && tar -C %s/<stack>/<volume> -xf <pv>.tar", p.MountRoot, p.MountRoot, p.MountRoot)
	if len(p.HostMounts) > 0 {
		restore += "\n   and copy the host-path volumes that lie outside it:"
	}
	for _, dest := range slices.Sorted(maps.Keys(p.HostMounts)) {
		restore += fmt.Sprintf("\n     mkdir -p %s/<stack>/<volume> && cp -a %s/. %s/<stack>/<volume>/    # now %s in the node", p.MountRoot, p.HostMounts[dest], p.MountRoot, dest)
	}
	add("%s", restore)
	start := "Deploy again; the first deploy recreates the cluster with the umbrella mount " + p.MountRoot + " -> /mnt:"
	for _, dep := range dirs {
		start += fmt.Sprintf("\n     kubectl stack deploy -d %s", dep)
	}
	add("%s", start)
	return steps
}

// deploymentDirs lists dir first, then the other deployments on the cluster.
func deploymentDirs(p *MigratePlan, dir string) []string {
	abs, _ := filepath.Abs(dir)
	out := []string{abs}
	for _, d := range p.Deployments {
		if d.Dir != abs {
			out = append(out, d.Dir)
		}
	}
	return out
}

// specOf is the spec a deployment was created from, as its record says.
func specOf(dir string) string {
	if rec, err := deployment.ReadRecord(dir); err == nil && rec.SpecSource != "" {
		return rec.SpecSource
	}
	return filepath.Join(dir, deployment.SpecFile)
}
