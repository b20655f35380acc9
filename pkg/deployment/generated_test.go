package deployment

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestGeneratedValues: create generates $generate values once, with the
// asked form and length, keeps them out of config.env, in a file only its
// owner reads; create --update keeps them and generates only new keys; a
// malformed $generate is refused at create.
func TestGeneratedValues(t *testing.T) {
	t.Parallel()
	withConfig := func(extra string) string { return strings.Replace(demoSpec, "  MODE: dev\n", "  MODE: dev\n"+extra, 1) }
	_, specPath := fixture(t, withConfig("  API_KEY: $generate:hex:16$\n  SALT: $generate:base64:24$\n"))
	dir := filepath.Join(t.TempDir(), "d")
	if _, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	first, err := ReadGenerated(dir)
	if err != nil {
		t.Fatal(err)
	}
	salt, _ := base64.StdEncoding.DecodeString(first["SALT"])
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(first["API_KEY"]) || len(salt) != 24 || len(first) != 2 {
		t.Fatalf("generated values = %v", first)
	}
	if info, err := os.Stat(filepath.Join(dir, GeneratedSecretsFile)); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("%s mode = %v (%v), want 0600", GeneratedSecretsFile, info.Mode().Perm(), err)
	}
	if env, _ := os.ReadFile(filepath.Join(dir, ConfigEnvFile)); strings.Contains(string(env), first["API_KEY"]) || strings.Contains(string(env), "API_KEY") {
		t.Errorf("config.env holds the generated key:\n%s", env)
	}

	spec, _ := os.ReadFile(specPath)
	if err := os.WriteFile(specPath, []byte(strings.Replace(string(spec), "  MODE: dev\n", "  MODE: dev\n  TOKEN: $generate:hex:8$\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: dir, Update: true}); err != nil {
		t.Fatal(err)
	}
	second, _ := ReadGenerated(dir)
	if second["API_KEY"] != first["API_KEY"] || second["SALT"] != first["SALT"] || len(second["TOKEN"]) != 16 {
		t.Errorf("after create --update: %v, want the old values kept and TOKEN added", second)
	}

	_, bad := fixture(t, withConfig("  API_KEY: $generate:uuid:16$\n"))
	if _, err := Create(context.Background(), CreateOptions{SpecPath: bad, Dir: filepath.Join(t.TempDir(), "d")}); err == nil || !strings.Contains(err.Error(), "config.API_KEY") {
		t.Errorf("create with $generate:uuid = %v, want a refusal naming config.API_KEY", err)
	}
}
