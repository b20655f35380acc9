package render

import (
	"strings"
	"testing"
)

func TestHostPathNames(t *testing.T) {
	t.Parallel()
	id := "laconic-0f56abcde"
	long := "../config/" + strings.Repeat("very-long-directory-name/", 4) + "file.conf"
	got := hostPathNames([]string{"../config/test/script.sh", "./a.b", "./a/b", long}, id)
	if got["../config/test/script.sh"] != "host-path-config-test-script-sh" {
		t.Errorf("laconic-so's name not kept: %q", got["../config/test/script.sh"])
	}
	if got["./a.b"] == got["./a/b"] {
		t.Errorf("./a.b and ./a/b share the name %q", got["./a.b"])
	}
	for src, name := range got {
		if n := len(id) + 1 + len(name); n > 63 {
			t.Errorf("%s: %q gives a %d-character object name", src, name, n)
		}
		if !strings.HasPrefix(name, "host-path-") {
			t.Errorf("%s: %q lacks the host-path- prefix", src, name)
		}
	}
}
