package deployment

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/localca"
)

// TestCACertificatesAreCheckedAndCopied: create copies PEM certificates
// into D under laconic-so's keys, and refuses a missing file, a file
// without certificates and one that holds a key, naming the entry.
func TestCACertificatesAreCheckedAndCopied(t *testing.T) {
	t.Parallel()
	ca, _, err := localca.Ensure(filepath.Join(t.TempDir(), "ca"), "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	key := testutil.WriteFile(t, root, "key.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
	junk := testutil.WriteFile(t, root, "junk.pem", "not a certificate\n")
	for entry, want := range map[string]string{
		filepath.Join(root, "missing.pem"): "ca-certificates[0]: open",
		junk:                               "holds no PEM certificate",
		key:                                "block 1 is a PRIVATE KEY, not a CERTIFICATE",
	} {
		_, specPath := fixture(t, demoSpec+"ca-certificates: ["+entry+"]\n")
		_, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: filepath.Join(t.TempDir(), "d")})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ca-certificates: [%s]: %v, want %q", entry, err, want)
		}
	}
	_, specPath := fixture(t, demoSpec+"ca-certificates: ["+ca.CertPath()+"]\n")
	dir := filepath.Join(t.TempDir(), "d")
	if _, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(ca.CertPath())
	if got, err := os.ReadFile(filepath.Join(dir, CACertDir, "laconic-extra-ca-0.pem")); err != nil || string(got) != string(want) {
		t.Errorf("D's copy of the CA = %q, %v", got, err)
	}
}
