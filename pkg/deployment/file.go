package deployment

import (
	"crypto/md5"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kubectl-stack/kubectl-stack/pkg/yamlstrict"
)

// File names inside a deployment directory.
const (
	DeploymentFile = "deployment.yml"
	SpecFile       = "spec.yml"
	StackFile      = "stack.yml"
	ConfigEnvFile  = "config.env"
	KindConfigFile = "kind-config.yml"
	// MemlockSpecFile is the containerd base runtime spec of the
	// high-memlock runtime (k8s-kind with security.unlimited-memlock).
	MemlockSpecFile = "high-memlock-spec.json"
	ManifestFile    = ".kubectl-stack-files"
	ComposeDir      = "compose"
	JobsDir         = "compose-jobs"
	DataDir         = "data"
)

// Record is deployment.yml.
type Record struct {
	// ClusterID names the kind cluster the deployment joins.
	ClusterID string `yaml:"cluster-id"`
	// DeploymentID prefixes every object name; fresh on every create.
	DeploymentID string `yaml:"deployment-id,omitempty"`
	// StackSource is the stack the deployment was created from.
	StackSource string `yaml:"stack-source,omitempty"`
	// StackRepository is the git checkout holding the stack, if any.
	StackRepository *Repository `yaml:"stack-repository,omitempty"`
	// SpecSource is the spec file the deployment was created from, so that
	// restart can use the git-tracked spec.
	SpecSource     string      `yaml:"spec-source,omitempty"`
	SpecRepository *Repository `yaml:"spec-repository,omitempty"`
	// StackName is the stack's name when it is not the basename of the
	// spec's stack: path: a compose project that names itself (name:,
	// COMPOSE_PROJECT_NAME). Recorded once, so that a later change of the
	// name never moves a deployment to another default namespace.
	StackName string `yaml:"stack-name,omitempty"`
}

// Repository records a git checkout at create time.
type Repository struct {
	Root   string `yaml:"root"`
	Commit string `yaml:"commit,omitempty"`
}

// ReadRecord reads D/deployment.yml with laconic-so's compatibility rules: a
// record without deployment-id uses cluster-id as the deployment-id, and a
// directory without deployment.yml (very old) gets laconic-so's md5 ID.
func ReadRecord(dir string) (*Record, error) {
	path := filepath.Join(dir, DeploymentFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return legacyRecord(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("reading deployment record: %w", err)
	}
	r := &Record{}
	if err := yamlstrict.Decode(path, data, r); err != nil {
		return nil, err
	}
	if r.ClusterID == "" {
		return nil, fmt.Errorf("%s: cluster-id is missing; restore it or re-create the deployment", path)
	}
	if r.DeploymentID == "" {
		r.DeploymentID = r.ClusterID
	}
	return r, nil
}

// legacyRecord reproduces laconic-so's ID for a deployment directory written
// before deployment.yml existed (laconic-so.md §7.2).
func legacyRecord(dir string) (*Record, error) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("reading deployment record: %w", err)
	}
	key := fmt.Sprintf("%s,%s,None,None", filepath.Join(real, ComposeDir), filepath.Join(dir, StackFile))
	id := fmt.Sprintf("laconic-%x", md5.Sum([]byte(key)))[:len("laconic-")+16]
	return &Record{ClusterID: id, DeploymentID: id}, nil
}

func (r *Record) encode() ([]byte, error) {
	return yamlstrict.Encode(r)
}
