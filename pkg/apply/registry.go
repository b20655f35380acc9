package apply

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// PullSecret builds the kubernetes.io/dockerconfigjson Secret for the
// spec's registry credentials, reading the token from token-file or the
// variable named by token-env. The token goes only into the returned
// object, which is sent to the API server and never written or logged;
// errors name the variable or file, never the value.
func PullSecret(name, namespace string, labels map[string]string, c *spec.RegistryCredentials, getenv func(string) string) (*unstructured.Unstructured, error) {
	token, err := ReadToken(c, getenv)
	if err != nil {
		return nil, err
	}
	auth := base64.StdEncoding.EncodeToString([]byte(c.Username + ":" + token))
	config, err := json.Marshal(map[string]any{"auths": map[string]any{
		c.Server: map[string]string{"username": c.Username, "password": token, "auth": auth},
	}})
	if err != nil {
		return nil, err
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata": map[string]any{"name": name, "namespace": namespace},
		"type":     "kubernetes.io/dockerconfigjson",
		"data":     map[string]any{".dockerconfigjson": base64.StdEncoding.EncodeToString(config)},
	}}
	obj.SetLabels(labels)
	return obj, nil
}

// ReadToken reads the registry token from token-file or token-env; it is
// never written anywhere.
func ReadToken(c *spec.RegistryCredentials, getenv func(string) string) (string, error) {
	if c.TokenFile != "" {
		data, err := os.ReadFile(spec.ExpandHome(c.TokenFile))
		if err != nil {
			return "", fmt.Errorf("reading the registry token: token-file %s: %w", c.TokenFile, pathError(err))
		}
		if t := strings.TrimSpace(string(data)); t != "" {
			return t, nil
		}
		return "", fmt.Errorf("the registry token file %s (spec.yml registry-credentials.token-file) is empty", c.TokenFile)
	}
	if t := getenv(c.TokenEnv); t != "" {
		return t, nil
	}
	return "", fmt.Errorf("the environment variable %s (spec.yml registry-credentials.token-env) is not set or empty; export it with the registry token for %s before deploying", c.TokenEnv, c.Server)
}

// pathError drops the path repetition from an *os.PathError.
func pathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// TLSSecret builds a kubernetes.io/tls Secret from PEM data.
func TLSSecret(name, namespace string, labels map[string]string, certPEM, keyPEM []byte) *unstructured.Unstructured {
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"metadata": map[string]any{"name": name, "namespace": namespace},
		"type":     "kubernetes.io/tls",
		"data": map[string]any{
			"tls.crt": base64.StdEncoding.EncodeToString(certPEM),
			"tls.key": base64.StdEncoding.EncodeToString(keyPEM),
		},
	}}
	obj.SetLabels(labels)
	return obj
}
