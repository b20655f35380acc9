// Package localca is the certificate authority kubectl-stack creates once
// per kind cluster, so that routes on kind are served over HTTPS with
// certificates a user can trust by trusting one file. It keeps its files
// in a directory on the host (under kind-mount-root), so that they survive
// the cluster's deletion and recreation.
package localca

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"time"
)

const (
	certFile = "ca.crt"
	keyFile  = "ca.key"
	// caLifetime and leafLifetime bound the certificates; a leaf is
	// renewed once less than leafRenewal is left.
	caLifetime   = 10 * 365 * 24 * time.Hour
	leafLifetime = 365 * 24 * time.Hour
	leafRenewal  = 30 * 24 * time.Hour
)

// CA is a certificate authority whose files live in Dir.
type CA struct {
	Dir  string
	cert *x509.Certificate
	key  crypto.Signer
}

// CertPath is the CA certificate a user trusts.
func (ca *CA) CertPath() string { return filepath.Join(ca.Dir, certFile) }

// Ensure loads the CA in dir, creating it (named after name) when dir has
// none. created says whether it was created now.
func Ensure(dir, name string, now time.Time) (ca *CA, created bool, err error) {
	ca, err = Load(dir)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return ca, false, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, false, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "kubectl-stack local CA (" + name + ")", Organization: []string{"kubectl-stack"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("creating the CA directory: %w", err)
	}
	if err := writePair(filepath.Join(dir, certFile), filepath.Join(dir, keyFile), der, key); err != nil {
		return nil, false, err
	}
	ca, err = Load(dir)
	return ca, true, err
}

// Load reads the CA in dir; a missing CA is an os.ErrNotExist error.
func Load(dir string) (*CA, error) {
	cert, err := readCert(filepath.Join(dir, certFile))
	if err != nil {
		return nil, err
	}
	key, err := readKey(filepath.Join(dir, keyFile))
	if err != nil {
		return nil, err
	}
	return &CA{Dir: dir, cert: cert, key: key}, nil
}

// Leaf returns a serving certificate and key (PEM) for hosts, signed by
// the CA. It is kept under the CA's certs/<name>.{crt,key} and reused
// while it names exactly these hosts and is far from expiry, so that
// deploying again yields the same Secret.
func (ca *CA) Leaf(name string, hosts []string, now time.Time) (certPEM, keyPEM []byte, err error) {
	crtPath := filepath.Join(ca.Dir, "certs", name+".crt")
	keyPath := filepath.Join(ca.Dir, "certs", name+".key")
	if cert, err := readCert(crtPath); err == nil && ca.reusable(cert, hosts, now) {
		if keyPEM, err := os.ReadFile(keyPath); err == nil {
			crtPEM, err := os.ReadFile(crtPath)
			return crtPEM, keyPEM, err
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: hosts[0]},
		DNSNames:     slices.Clone(hosts),
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(leafLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(filepath.Dir(crtPath), 0o700); err != nil {
		return nil, nil, err
	}
	if err := writePair(crtPath, keyPath, der, key); err != nil {
		return nil, nil, err
	}
	crtPEM, err := os.ReadFile(crtPath)
	if err != nil {
		return nil, nil, err
	}
	keyPEM, err = os.ReadFile(keyPath)
	return crtPEM, keyPEM, err
}

// reusable: issued by this CA, for exactly these hosts, not near expiry.
func (ca *CA) reusable(cert *x509.Certificate, hosts []string, now time.Time) bool {
	return cert.CheckSignatureFrom(ca.cert) == nil &&
		slices.Equal(slices.Sorted(slices.Values(cert.DNSNames)), slices.Sorted(slices.Values(hosts))) &&
		now.Add(leafRenewal).Before(cert.NotAfter)
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}

// writePair writes a certificate (0644) and its key (0600), each to a
// temporary file renamed into place, so that a reader never sees half.
func writePair(certPath, keyPath string, der []byte, key *ecdsa.PrivateKey) error {
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := writeAtomic(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return err
	}
	return writeAtomic(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

func writeAtomic(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".partial"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return os.Rename(tmp, path)
}

func readCert(path string) (*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	return x509.ParseCertificate(block.Bytes)
}

func readKey(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s holds no PEM key", path)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s is not a signing key", path)
	}
	return signer, nil
}
