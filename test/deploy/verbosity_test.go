package deploy

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestHighestVerbosityNeverPrintsTheToken deploys with -v 9, where
// client-go logs every request and response body (the pull Secret's
// included), and greps stderr for the registry token in every form it
// takes on the wire: plain, base64 in the docker auth, and base64 again
// in the Secret's data.
func TestHighestVerbosityNeverPrintsTheToken(t *testing.T) {
	_, specPath, _ := stack(t)
	dir := create(t, specPath)
	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	_, errOut, err := run(t, "deploy", "-d", dir, "--wait=false", "-v", "9")
	if err != nil {
		t.Fatalf("deploy -v 9: %v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "Request Body") || !strings.Contains(errOut, "<redacted>") {
		t.Fatalf("-v 9 did not show client-go's request bodies with the Secret redacted:\n%.2000s", errOut)
	}
	auth := base64.StdEncoding.EncodeToString([]byte("demo:" + token))
	for _, form := range []string{token, auth, base64.StdEncoding.EncodeToString([]byte(auth)), base64.StdEncoding.EncodeToString([]byte(token))} {
		if strings.Contains(errOut, form) {
			t.Errorf("stderr at -v 9 holds the registry token as %q", form)
		}
	}
	_, quiet, err := run(t, "deploy", "-d", dir, "--wait=false", "-q")
	if err != nil || strings.TrimSpace(quiet) != "" {
		t.Errorf("deploy -q printed %q (%v), want nothing on stderr", quiet, err)
	}
}
