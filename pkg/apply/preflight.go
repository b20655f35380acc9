package apply

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
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
}

func (e *OlderDeploymentError) Error() string {
	return fmt.Sprintf(`namespace %s holds deployment %s (its inventory %s%s), not this directory's deployment %s; a deployment directory made again at %s gets a new deployment-id, and deploying it would take over the older one's Services and leave its Deployments and volume claims running in no inventory.
To take the older deployment over with its data, set deployment-id: %s in %s/deployment.yml and deploy.
To stop it instead: set deployment-id: %s there, run kubectl stack stop -d %s (its volumes are kept unless --delete-volumes), then set this id back and deploy.`,
		e.Namespace, e.Older, e.Older, InventorySuffix, e.DeploymentID, e.Dir, e.Older, e.Dir, e.Older, e.Dir)
}

// checkOlderDeployment refuses when the namespace holds the inventory of
// a deployment other than req's.
func (a *Applier) checkOlderDeployment(ctx context.Context, req Request) error {
	var cms corev1.ConfigMapList
	if err := a.client.List(ctx, &cms, client.InNamespace(req.Namespace)); err != nil {
		return fmt.Errorf("looking for other deployments in namespace %s: %w", req.Namespace, err)
	}
	for _, cm := range cms.Items {
		id, isInv := strings.CutSuffix(cm.Name, InventorySuffix)
		if !isInv || id == req.DeploymentID || cm.Data[inventoryKey] == "" {
			continue
		}
		return &OlderDeploymentError{Namespace: req.Namespace, DeploymentID: req.DeploymentID, Dir: req.DeploymentDir, Older: id}
	}
	return nil
}
