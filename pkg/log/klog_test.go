package log

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

// TestRedactEveryResponseShape: generated values (hex and base64, as
// $generate:hex:N$ and $generate:base64:N$ make them) never survive in a
// Secret, a SecretList, a watch event, a Table with objects or an apply
// response, whole or truncated, with quotes plain or escaped (klog's
// structured lines).
func TestRedactEveryResponseShape(t *testing.T) {
	t.Parallel()
	values := []string{"9f86d081884c7d659a2feaa0c55ad015", "n4bQgYhMfWWaL+qgxVrQFQ==", "a"}
	for _, v := range values {
		b64 := base64.StdEncoding.EncodeToString([]byte(v))
		secret := corev1.Secret{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"}, ObjectMeta: metav1.ObjectMeta{Name: "laconic-x-generated"},
			Data: map[string][]byte{"TOKEN": []byte(v), "OTHER": []byte(v)}}
		item := secret
		item.TypeMeta = metav1.TypeMeta{}
		shapes := map[string]any{
			"secret":  secret,
			"list":    corev1.SecretList{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "SecretList"}, Items: []corev1.Secret{item, item}},
			"watch":   map[string]any{"type": "ADDED", "object": secret},
			"table":   map[string]any{"kind": "Table", "apiVersion": "meta.k8s.io/v1", "rows": []any{map[string]any{"cells": []any{"x"}, "object": secret}}},
			"applied": map[string]any{"kind": "Secret", "apiVersion": "v1", "metadata": map[string]any{"name": "x", "managedFields": []any{}}, "stringData": map[string]string{"TOKEN": v}},
		}
		for name, shape := range shapes {
			body, err := json.Marshal(shape)
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range []string{
				"Response Body: " + string(body),
				"Response Body: " + string(body[:len(body)*2/3]) + " [truncated 4096 chars]",
				`"Response Body" body="` + strings.ReplaceAll(string(body), `"`, `\"`) + `"`,
			} {
				got := string(Redact([]byte(line)))
				if strings.Contains(got, b64) || (len(v) > 1 && strings.Contains(got, v)) {
					t.Errorf("%s (%d bytes): the value survived: %s", name, len(line), got)
				}
			}
		}
	}
}
