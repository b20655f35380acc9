package apply

import (
	"context"
	"fmt"
	"strings"

	"github.com/fluxcd/cli-utils/pkg/object"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Preflight refuses a deploy before it writes anything, not even the
// namespace claim or the lock: a namespace another directory owns,
// objects under the deployment's names that are someone else's (unless
// adopting), and an older deployment of the namespace (a deployment
// directory made again at the same path gets a new deployment-id and
// would take over the old one's Services, leaving its Deployments and
// claims running in no inventory). It only reads.
func (a *Applier) Preflight(ctx context.Context, req Request) error {
	if err := a.CheckNamespaceOwner(ctx, req.Namespace, req.DeploymentDir, req.DeploymentID); err != nil {
		return err
	}
	rec, live, err := a.recordedAndLive(ctx, req)
	if err != nil {
		return err
	}
	if err := a.checkForeign(req, rec.entries, live); err != nil {
		return err
	}
	return a.checkOlderDeployment(ctx, req)
}

// OlderDeploymentError: the namespace holds another deployment's
// inventory.
type OlderDeploymentError struct {
	Namespace, DeploymentID, Dir, Older string
	// Running lists the older deployment's objects that still exist.
	Running string
}

func (e *OlderDeploymentError) Error() string {
	return fmt.Sprintf(`namespace %s holds deployment %s (its inventory %s%s; still there: %s), not this directory's deployment %s; a deployment directory made again at %s gets a new deployment-id, and deploying it would take over the older one's Services and leave its Deployments and volume claims running in no inventory.
To take the older deployment over with its data, set deployment-id: %s in %s/deployment.yml and deploy.
To stop it instead: set deployment-id: %s there, run kubectl stack stop -d %s (its volumes are kept unless --delete-volumes), then set this id back and deploy.`,
		e.Namespace, e.Older, e.Older, InventorySuffix, e.Running, e.DeploymentID, e.Dir, e.Older, e.Dir, e.Older, e.Dir)
}

// checkOlderDeployment refuses when the namespace holds another
// deployment whose objects (other than volumes) still exist. One that was
// stopped, leaving only its volumes (tracked in its inventory), is not
// taken over by this deploy: it is named in a warning, with the way to
// take its data over.
func (a *Applier) checkOlderDeployment(ctx context.Context, req Request) error {
	// Names only: the namespace's ConfigMaps may be large, and this runs
	// on every deploy; an inventory found is read by itself.
	cms, err := a.listMeta(ctx, schema.GroupKind{Kind: "ConfigMap"}, req.Namespace)
	if err != nil {
		return fmt.Errorf("looking for other deployments in namespace %s: %w", req.Namespace, err)
	}
	for _, cm := range cms {
		id, isInv := strings.CutSuffix(cm.Name, InventorySuffix)
		if !isInv || id == req.DeploymentID {
			continue
		}
		older, err := a.readInventory(ctx, req.Namespace, id)
		if err != nil {
			return err
		}
		var workloads, volumes []object.ObjMetadata
		for _, m := range older.entries {
			switch {
			case isVolume(m):
				volumes = append(volumes, m)
			case !keep(m, StopRequest{DeploymentID: id}):
				// What a stop deletes: while it exists, the deployment runs.
				workloads = append(workloads, m)
			}
		}
		running, err := a.remaining(ctx, workloads)
		if err != nil {
			return fmt.Errorf("looking at deployment %s in namespace %s: %w", id, req.Namespace, err)
		}
		if len(running) > 0 {
			return &OlderDeploymentError{Namespace: req.Namespace, DeploymentID: req.DeploymentID, Dir: req.DeploymentDir, Older: id, Running: names(running)}
		}
		if kept, err := a.remaining(ctx, volumes); err == nil && len(kept) > 0 {
			a.Log.Warnf("namespace %s holds the volumes of the stopped deployment %s (%s); this deployment (%s) makes its own: to use that data instead, set deployment-id: %s in %s/deployment.yml before deploying", req.Namespace, id, names(kept), req.DeploymentID, id, req.DeploymentDir)
		}
	}
	return nil
}

func names(list []object.ObjMetadata) string {
	var out []string
	for _, m := range list {
		out = append(out, m.GroupKind.Kind+"/"+m.Name)
	}
	return strings.Join(out, ", ")
}
