package labels

import (
	"slices"
	"testing"
)

func TestPodApps(t *testing.T) {
	t.Parallel()
	if got := PodApps("laconic-1"); !slices.Equal(got, []string{"laconic-1", "laconic-1-job"}) {
		t.Errorf("PodApps = %v", got)
	}
	if got := Selector(JobApp("laconic-1")); got != "app=laconic-1-job" {
		t.Errorf("Selector = %q", got)
	}
}
