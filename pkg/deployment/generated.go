package deployment

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/k8sname"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// GeneratedSecretsFile holds, in D and readable by its owner only, the
// values create generated for config entries $generate:hex:N$ and
// $generate:base64:N$, until deploy puts them into the cluster's Secret
// (which is then the source of truth: deploy takes its values back into
// this file). They are never in config.env, the spec or the kustomize tree.
const GeneratedSecretsFile = "generated-secrets.env"

var generatePattern = regexp.MustCompile(`^\$generate:(hex|base64):(\d+)\$$`)

// GeneratedKeys are the config keys whose values are generated.
func GeneratedKeys(cfg spec.Config) []string {
	var out []string
	for k, v := range cfg {
		if strings.HasPrefix(v, "$generate:") {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// GeneratedSecretName is laconic-so's Secret of generated values:
// <stack>-generated-secrets, so that a taken-over deployment keeps them.
func (d *Deployment) GeneratedSecretName() string {
	return k8sname.Label(d.StackName()) + apply.GeneratedSecretsSuffix
}

// generate makes a value for "$generate:<type>:<n>$" with crypto/rand.
func generate(spec string) (string, error) {
	m := generatePattern.FindStringSubmatch(spec)
	if m == nil {
		return "", fmt.Errorf("%q is not $generate:hex:N$ or $generate:base64:N$", spec)
	}
	n, _ := strconv.Atoi(m[2])
	if n < 1 || n > 1024 {
		return "", fmt.Errorf("%q: N must be 1 to 1024 bytes", spec)
	}
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	if m[1] == "base64" {
		return base64.StdEncoding.EncodeToString(b), nil
	}
	return hex.EncodeToString(b), nil
}

// CheckGenerate validates the $generate values of a config.
func CheckGenerate(cfg spec.Config) error {
	var errs []error
	for _, k := range GeneratedKeys(cfg) {
		if !generatePattern.MatchString(cfg[k]) {
			errs = append(errs, fmt.Errorf("config.%s: %q: write $generate:hex:N$ or $generate:base64:N$ (N random bytes)", k, cfg[k]))
		}
	}
	return errors.Join(errs...)
}

// ensureGenerated gives every generated config key a value in D's
// generated-secrets file: the one it has, else a fresh one. Keys no longer
// generated are dropped.
func ensureGenerated(dir string, cfg spec.Config) error {
	keys := GeneratedKeys(cfg)
	have, err := ReadGenerated(dir)
	if err != nil || (len(keys) == 0 && len(have) == 0) {
		return err
	}
	values := map[string]string{}
	for _, k := range keys {
		if v, ok := have[k]; ok {
			values[k] = v
			continue
		}
		if values[k], err = generate(cfg[k]); err != nil {
			return fmt.Errorf("config.%s: %w", k, err)
		}
	}
	return WriteGenerated(dir, values)
}

// ReadGenerated reads D's generated values (none when the file is absent).
func ReadGenerated(dir string) (map[string]string, error) {
	data, err := os.ReadFile(filepath.Join(dir, GeneratedSecretsFile))
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			out[k] = v
		}
	}
	return out, sc.Err()
}

// WriteGenerated writes D's generated values, readable by the owner only.
func WriteGenerated(dir string, values map[string]string) error {
	var b strings.Builder
	b.WriteString("# Values kubectl-stack generated for $generate config entries. Secret: keep this\n# file out of git; once deployed, the cluster's <stack>-generated-secrets Secret\n# holds them too, and a deploy from a new directory takes them from there.\n")
	for _, k := range slices.Sorted(maps.Keys(values)) {
		fmt.Fprintf(&b, "%s=%s\n", k, values[k])
	}
	return writeFile(filepath.Join(dir, GeneratedSecretsFile), File{Data: []byte(b.String()), Mode: 0o600})
}
