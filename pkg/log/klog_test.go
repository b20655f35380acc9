package log

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		`Request Body: {"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"},"data":{".dockerconfigjson":"c2VjcmV0"},"type":"kubernetes.io/dockerconfigjson"}`: "c2VjcmV0",
		`Response Body: {"kind":"Secret","stringData":{"token":"plain-secret"}}`:                                                                                    "plain-secret",
		`Request Headers: Authorization: Bearer abc.def.ghi`:                                                                                                        "abc.def.ghi",
	}
	for line, secret := range cases {
		got := string(Redact([]byte(line)))
		if strings.Contains(got, secret) || !strings.Contains(got, "<redacted>") {
			t.Errorf("Redact(%q) = %q", line, got)
		}
	}
	truncated := `Response Body: {"data":{".dockerconfigjson":"dHJ1bmNhdGVk"},"metadata":{"name":"x" [truncated 2048 chars]`
	if got := string(Redact([]byte(truncated))); strings.Contains(got, "dHJ1bmNhdGVk") {
		t.Errorf("a truncated pull secret body kept its value: %q", got)
	}
	keep := `Request Body: {"kind":"ConfigMap","data":{"a":"b"}}`
	if got := string(Redact([]byte(keep))); got != keep {
		t.Errorf("a ConfigMap's data was redacted: %q", got)
	}
}
