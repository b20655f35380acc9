package lifecycle

import (
	"context"
	"encoding/base64"
	"maps"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/render"
)

// generatedSecretsStep adds the Secret of the generated config values. The
// cluster's Secret is the source of truth once it exists: its values win
// over D's file and are written back to it, so that a deployment directory
// recreated on another machine gets the same values on its first deploy.
func generatedSecretsStep(ctx context.Context, r *deployRun) error {
	if r.req.ServerDryRun || len(deployment.GeneratedKeys(r.req.Target.Deployment.Spec.Config)) == 0 {
		return nil
	}
	c, err := r.connect()
	if err != nil {
		return err
	}
	s, err := generatedSecret(ctx, r.l, c, r.req.Target, true)
	if s != nil {
		r.extra = append(r.extra, s)
	}
	return err
}

// generatedSecret is the Secret of the target's generated values (nil
// when it has none): D's values, overridden by the cluster's. With
// writeBack, values the cluster had are stored in D's file.
func generatedSecret(ctx context.Context, l *Lifecycle, c Cluster, t *Target, writeBack bool) (*unstructured.Unstructured, error) {
	d := t.Deployment
	keys := deployment.GeneratedKeys(d.Spec.Config)
	if len(keys) == 0 {
		return nil, nil
	}
	local, err := deployment.ReadGenerated(d.Dir)
	if err != nil {
		return nil, err
	}
	live, _, err := c.SecretData(ctx, d.Namespace(), d.GeneratedSecretName())
	if err != nil {
		return nil, err
	}
	values := maps.Clone(local)
	changed := false
	for _, k := range keys {
		if v, ok := live[k]; ok && string(v) != local[k] {
			values[k], changed = string(v), true
		}
	}
	if changed && writeBack {
		if err := deployment.WriteGenerated(d.Dir, values); err != nil {
			return nil, err
		}
		l.Log.Infof("took the generated config values from the cluster's Secret %s into %s", d.GeneratedSecretName(), deployment.GeneratedSecretsFile)
	}
	data := map[string]any{}
	for _, k := range keys {
		v, ok := values[k]
		if !ok {
			l.Log.Warnf("config.%s is generated, but %s has no value for it: re-sync the deployment to generate one", k, deployment.GeneratedSecretsFile)
			continue
		}
		data[k] = base64.StdEncoding.EncodeToString([]byte(v))
	}
	s := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
		"metadata": map[string]any{"name": d.GeneratedSecretName(), "namespace": d.Namespace()},
		"data":     data,
	}}
	s.SetLabels(render.Labels(d))
	return s, nil
}
