package apply

import (
	"testing"
	"time"

	"github.com/fluxcd/pkg/ssa"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestActionOf(t *testing.T) {
	t.Parallel()
	at := func(sec int64, fields string) []metav1.ManagedFieldsEntry {
		ts := metav1.NewTime(time.Unix(sec, 0))
		return []metav1.ManagedFieldsEntry{{Manager: FieldManager, Operation: metav1.ManagedFieldsOperationApply, Time: &ts,
			FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(fields)}}}
	}
	before := metav1.ObjectMeta{ResourceVersion: "1", Generation: 1, ManagedFields: at(10, `{"f:data":{}}`)}
	for _, c := range []struct {
		name    string
		existed bool
		after   metav1.ObjectMeta
		want    ssa.Action
	}{
		{"new", false, metav1.ObjectMeta{ResourceVersion: "2"}, ssa.CreatedAction},
		{"nothing written", true, before, ssa.UnchangedAction},
		{"someone else's status update since the LIST", true, metav1.ObjectMeta{ResourceVersion: "3", Generation: 1, ManagedFields: at(10, `{"f:data":{}}`)}, ssa.UnchangedAction},
		{"our apply changed it", true, metav1.ObjectMeta{ResourceVersion: "3", Generation: 1, ManagedFields: at(20, `{"f:data":{}}`)}, ssa.ConfiguredAction},
		{"our apply changed the spec in the same second", true, metav1.ObjectMeta{ResourceVersion: "3", Generation: 2, ManagedFields: at(10, `{"f:data":{}}`)}, ssa.ConfiguredAction},
		{"our apply added a field", true, metav1.ObjectMeta{ResourceVersion: "3", Generation: 1, ManagedFields: at(10, `{"f:data":{},"f:x":{}}`)}, ssa.ConfiguredAction},
	} {
		if got := actionOf(c.existed, before, c.after); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}
