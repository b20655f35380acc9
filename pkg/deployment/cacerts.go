package deployment

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// CACertDir holds copies of the spec's ca-certificates in D, so that a
// deployment directory renders without the operator's files.
const CACertDir = "ca-certificates"

// CACertKey is the name of the i-th CA certificate file: laconic-so's key
// in its <app>-ca-certificates Secret, and the file name under
// /etc/ssl/certs in the containers.
func CACertKey(i int) string { return fmt.Sprintf("laconic-extra-ca-%d.pem", i) }

// CACert is one CA certificate file of a deployment.
type CACert struct {
	Key string
	PEM []byte
}

// addCACertificates copies each ca-certificates file into D after checking
// that it holds PEM certificates and nothing else.
func (b *builder) addCACertificates() {
	for i, p := range b.plan.Spec.CACertificates {
		field := fmt.Sprintf("ca-certificates[%d]", i)
		src := spec.ResolvePath(filepath.Dir(b.specPath), p)
		data, err := os.ReadFile(src)
		if err != nil {
			b.fail("%s: %s: %v; point it at a PEM file of CA certificates", b.specPath, field, err)
			continue
		}
		if err := checkPEMCertificates(data); err != nil {
			b.fail("%s: %s: %s: %v", b.specPath, field, src, err)
			continue
		}
		b.plan.Files[path.Join(CACertDir, CACertKey(i))] = File{Data: data, Mode: 0o644}
	}
}

// checkPEMCertificates accepts one or more PEM CERTIFICATE blocks that
// parse as X.509 certificates, and nothing else.
func checkPEMCertificates(data []byte) error {
	n := 0
	for rest := data; ; n++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			if n == 0 {
				return errors.New("holds no PEM certificate (a file of -----BEGIN CERTIFICATE----- blocks)")
			}
			return nil
		}
		if block.Type != "CERTIFICATE" {
			return fmt.Errorf("block %d is a %s, not a CERTIFICATE (never put a key here)", n+1, block.Type)
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return fmt.Errorf("certificate %d does not parse: %v", n+1, err)
		}
	}
}

// CACertificates reads the CA certificates create copied into D, in the
// spec's order.
func (d *Deployment) CACertificates() ([]CACert, error) {
	var out []CACert
	for i := range d.Spec.CACertificates {
		key := CACertKey(i)
		data, err := os.ReadFile(filepath.Join(d.Dir, CACertDir, key))
		if err != nil {
			return nil, fmt.Errorf("reading the CA certificate ca-certificates[%d]: %w (re-sync the deployment to copy it again)", i, err)
		}
		out = append(out, CACert{Key: key, PEM: data})
	}
	return out, nil
}
