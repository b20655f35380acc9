package cmd

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

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

// MigratePlanOptions are the inputs of "kubectl stack kind migrate-plan".
type MigratePlanOptions struct {
	*GlobalOptions
	DeploymentDir string
	Output        string

	k *kindCluster
}

// NewMigratePlanOptions returns MigratePlanOptions with its defaults (the options of "kubectl stack kind migrate-plan").
func NewMigratePlanOptions(g *GlobalOptions) *MigratePlanOptions {
	return &MigratePlanOptions{GlobalOptions: g}
}

func newCmdMigratePlan(g *GlobalOptions) *cobra.Command {
	o := NewMigratePlanOptions(g)
	cmd := &cobra.Command{
		Use:   "migrate-plan [-d DIR] [-o json]",
		Short: "Plan moving a kind cluster without an umbrella mount to kind-mount-root",
		Long: `For a kind cluster created without an umbrella mount, list the volumes whose
data lives only inside the node (lost when the cluster is recreated), the
deployments on the cluster, and the steps of the migration to a shared
kind-mount-root, with the real names and paths filled in. It changes
nothing: read it, then run the steps.`,
		Args: cobra.NoArgs,
		RunE: runE(o),
	}
	addDeploymentDirFlag(cmd, &o.DeploymentDir)
	cmd.Flags().StringVarP(&o.Output, "output", "o", o.Output, "Output format: json (default: text).")
	return cmd
}

// Complete loads the deployment.
func (o *MigratePlanOptions) Complete(c *cobra.Command, args []string) error {
	var err error
	o.k, err = loadKindCluster(c, o.GlobalOptions, o.DeploymentDir)
	return err
}

// Validate checks the flags.
func (o *MigratePlanOptions) Validate() error {
	if o.Output != "" && o.Output != "json" {
		return fmt.Errorf("--output %q: use json, or leave it out for text", o.Output)
	}
	return nil
}

// Run reads the cluster and prints the plan.
func (o *MigratePlanOptions) Run(c *cobra.Command) error {
	plan, err := o.k.migratePlan(c)
	if err != nil {
		return err
	}
	if o.Output == "json" {
		return printJSON(o.Out, plan)
	}
	return printMigratePlan(o.Out, plan)
}

func (k *kindCluster) migratePlan(c *cobra.Command) (*MigratePlan, error) {
	a, err := connect(k.g)
	if err != nil {
		return nil, err
	}
	node, live, err := k.liveMounts(c)
	if err != nil {
		return nil, fmt.Errorf("reading the mounts of kind cluster %s: %w", k.name, err)
	}
	nodeLocal, err := nodeLocalVolumes(c, a, live)
	if err != nil {
		return nil, err
	}
	deps, err := a.Deployments(c.Context())
	if err != nil {
		return nil, err
	}
	plan := &MigratePlan{
		Cluster: k.name, Umbrella: live[kindcluster.NodeMountRoot], NodeLocal: nodeLocal, Deployments: deps,
		MountRoot: cmp.Or(k.d.Spec.KindMountRoot, live[kindcluster.NodeMountRoot], defaultMountRoot),
	}
	if plan.Umbrella == "" {
		plan.HostMounts = mountsToMove(live, plan.MountRoot)
		plan.Steps = migrationSteps(plan, node, k.d.Dir)
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
// with this cluster's names and paths.
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
	edit := fmt.Sprintf("In every stack's spec.yml set kind-mount-root: %s and give each volume a host path under %s/ (for example %s/<stack>/<volume>), then re-sync each deployment:", p.MountRoot, p.MountRoot, p.MountRoot)
	for _, dep := range deploymentDirs(p, dir) {
		edit += fmt.Sprintf("\n     kubectl stack create --spec-file %s --deployment-dir %s --update", specOf(dep), dep)
	}
	add("%s", edit)
	stop := "Stop every deployment, keeping the cluster for now:"
	for _, dep := range deploymentDirs(p, dir) {
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
	for _, dep := range deploymentDirs(p, dir) {
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

func printMigratePlan(w io.Writer, p *MigratePlan) error {
	var b strings.Builder
	fmt.Fprintf(&b, "kind cluster: %s\n", p.Cluster)
	fmt.Fprintf(&b, "\nDeployments on the cluster:\n")
	for _, d := range p.Deployments {
		fmt.Fprintf(&b, "  %s (namespace %s)\n", d.Dir, d.Namespace)
	}
	fmt.Fprintf(&b, "\nVolumes whose data lives only inside the node:\n")
	if len(p.NodeLocal) == 0 {
		b.WriteString("  none\n")
	}
	for _, v := range p.NodeLocal {
		fmt.Fprintf(&b, "  %s (claim %s, node path %s)\n", v.Name, cmp.Or(v.Claim, "-"), cmp.Or(v.NodePath, "-"))
	}
	if p.Umbrella != "" {
		fmt.Fprintf(&b, "\nThe cluster already has an umbrella mount %s -> /mnt: no recreate is needed. Set kind-mount-root: %s in every spec and keep host paths under it.\n", p.Umbrella, p.Umbrella)
	} else {
		fmt.Fprintf(&b, "\nThe cluster has no umbrella mount; kind adds mounts only at creation. To move to kind-mount-root %s:\n", p.MountRoot)
		for i, s := range p.Steps {
			fmt.Fprintf(&b, "  %d. %s\n", i+1, s)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
