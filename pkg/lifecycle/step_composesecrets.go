package lifecycle

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-stack/kubectl-stack/pkg/bindsrc"
	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/render"
)

// composeSecretMax bounds a compose secret's content (a Secret holds at
// most 1 MiB).
const composeSecretMax = 1 << 20

// composeSecretsStep adds the Secrets of the compose secrets the services
// mount, which the rendered tree references by name and never holds: a
// file: is read in the deployment directory, an environment: variable
// from deploy's own environment (as the registry token is, so that it
// never touches disk). An external: secret must exist in the namespace.
func composeSecretsStep(ctx context.Context, r *deployRun) error {
	d := r.req.Target.Deployment
	secrets := d.ComposeSecrets()
	if len(secrets) == 0 {
		return nil
	}
	getenv := r.req.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var errs []error
	for _, s := range secrets {
		if s.External {
			errs = append(errs, r.checkExternalSecret(ctx, s.Name))
			continue
		}
		obj, err := composeSecret(d, s, getenv)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		r.extra = append(r.extra, obj)
	}
	return errors.Join(errs...)
}

// composeSecret is the Secret of one compose secret.
func composeSecret(d *deployment.Deployment, s compose.FileObject, getenv func(string) string) (*unstructured.Unstructured, error) {
	var value []byte
	switch {
	case s.File != "":
		data, err := bindsrc.ReadFile(s.File, d.Dir, composeSecretMax)
		if err != nil {
			return nil, fmt.Errorf("secrets.%s: reading its file: %w", s.Name, err)
		}
		value = data
	case s.Environment != "":
		v := getenv(s.Environment)
		if v == "" {
			return nil, fmt.Errorf("secrets.%s: its environment variable %s is not set; export it in the environment of kubectl stack deploy (it is read there, never stored)", s.Name, s.Environment)
		}
		value = []byte(v)
	default:
		return nil, fmt.Errorf("secrets.%s: give it file:, environment: or external: true", s.Name)
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
		"metadata": map[string]any{"name": render.ComposeSecretName(d.Record.DeploymentID, s.Name), "namespace": d.Namespace()},
		"data":     map[string]any{"content": base64.StdEncoding.EncodeToString(value)},
	}}
	obj.SetLabels(render.Labels(d))
	return obj, nil
}

// checkExternalSecret refuses to deploy a service mounting an external
// secret that the namespace lacks.
func (r *deployRun) checkExternalSecret(ctx context.Context, name string) error {
	if r.req.ServerDryRun {
		return nil
	}
	c, err := r.connect()
	if err != nil {
		return err
	}
	d := r.req.Target.Deployment
	data, exists, err := c.SecretData(ctx, d.Namespace(), name)
	if err != nil {
		return err
	}
	if !exists {
		return fmt.Errorf("secrets.%s is external: the Secret %s must exist in namespace %s before deploy, with a key content; create it (kubectl create secret generic %s -n %s --from-file=content=FILE)", name, name, d.Namespace(), name, d.Namespace())
	}
	if _, ok := data["content"]; !ok {
		return fmt.Errorf("secrets.%s is external: the Secret %s in namespace %s has no key content, which is mounted as the file; add it", name, name, d.Namespace())
	}
	return nil
}
