package localca

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestEnsureCreatesOnceAndLeavesVerify(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "ca")
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	ca, created, err := Ensure(dir, "kind-test", now)
	if err != nil || !created {
		t.Fatalf("Ensure = %v, created %v", err, created)
	}
	if info, err := os.Stat(filepath.Join(dir, keyFile)); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("CA key mode = %v (%v), want 0600", info.Mode().Perm(), err)
	}
	again, created, err := Ensure(dir, "kind-test", now)
	if err != nil || created || !again.cert.Equal(ca.cert) {
		t.Fatalf("second Ensure = %v, created %v; want the same CA loaded", err, created)
	}

	hosts := []string{"a.localhost", "www.a.localhost"}
	crt, key, err := ca.Leaf("dep-1", hosts, now)
	if err != nil || len(key) == 0 {
		t.Fatal(err)
	}
	leaf := parse(t, crt)
	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)
	for _, h := range hosts {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: h, Roots: roots, CurrentTime: now}); err != nil {
			t.Errorf("leaf does not verify for %s: %v", h, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "b.localhost", Roots: roots, CurrentTime: now}); err == nil {
		t.Error("leaf verifies for a host it does not name")
	}

	same, _, _ := ca.Leaf("dep-1", []string{"www.a.localhost", "a.localhost"}, now.Add(24*time.Hour))
	if string(same) != string(crt) {
		t.Error("the leaf was not reused for the same hosts")
	}
	other, _, _ := ca.Leaf("dep-1", []string{"a.localhost"}, now)
	if string(other) == string(crt) {
		t.Error("the leaf was reused for other hosts")
	}
	renewed, _, _ := ca.Leaf("dep-1", []string{"a.localhost"}, now.Add(leafLifetime-leafRenewal/2))
	if string(renewed) == string(other) {
		t.Error("a leaf near expiry was reused")
	}
}

func parse(t *testing.T, data []byte) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatal("no PEM")
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
