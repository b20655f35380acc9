package apply

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// A fingerprint says what the last apply of an object sent and what the
// cluster recorded of it, so that a redeploy can tell from a metadata LIST
// alone that applying again would change nothing: the desired object is
// the one applied last time, and the fields kubectl-stack manages on it are
// the ones that apply left.
//
// The second half is what detects a hand edit. Server-side apply tracks
// every field's manager: a kubectl edit, patch, scale or a forced apply by
// someone else that changes or removes a field kubectl-stack set takes
// that field from kubectl-stack's managedFields entry, which changes its
// hash, and the object is applied again. Fields only others set (a
// controller's annotation, a status) are not in the entry: an apply would
// leave them alone too, so they are no reason to apply.
//
// Secrets get no fingerprint (the hash of a token is not written into a
// ConfigMap): they are applied on every deploy.
func fingerprint(desired *unstructured.Unstructured, live metav1.ObjectMeta) string {
	if desired.GetKind() == "Secret" {
		return ""
	}
	own := ownEntry(live)
	if own == nil {
		return ""
	}
	return hashOf(desired.Object) + "." + hashOf(own)
}

// ownEntry is kubectl-stack's apply entry in managedFields, without its
// time: an apply that changes nothing leaves the entry as it was.
func ownEntry(m metav1.ObjectMeta) *metav1.ManagedFieldsEntry {
	e := stampedEntry(m)
	if e != nil {
		e.Time = nil
	}
	return e
}

// hashOf is a short hash of v's JSON (map keys sorted, so stable).
func hashOf(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:12])
}
