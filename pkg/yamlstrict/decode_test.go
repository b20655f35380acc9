package yamlstrict

import (
	"strings"
	"testing"
)

type inner struct {
	Storage string `yaml:"storage"`
}

type sample struct {
	Name    string            `yaml:"name"`
	Volumes map[string]string `yaml:"volumes"`
	Nested  struct {
		Known  int              `yaml:"known"`
		Inline map[string]inner `yaml:",inline"`
	} `yaml:"nested"`
	List []inner `yaml:"list"`
}

func TestDecodeReportsUnknownKeys(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, doc string
		want      []string // substrings, all required; empty means no error
	}{
		{"valid", "name: x\nvolumes:\n  anything: /p\nnested:\n  known: 1\n  free:\n    storage: 1\n", nil},
		{"typo at top level", "name: x\nvolume:\n  a: b\n", []string{`unknown key "volume" at spec.yml:2; did you mean "volumes"?`}},
		{"no close key", "zzzzzzzz: 1\n", []string{`unknown key "zzzzzzzz" at spec.yml:1`}},
		{"nested struct", "list:\n  - storag: 1\n", []string{`unknown key "storag" under "list" at spec.yml:2; did you mean "storage"?`}},
		{"inline map values are checked", "nested:\n  free:\n    storgae: 1\n", []string{`unknown key "storgae" under "nested.free" at spec.yml:3`}},
		{"type error has a line", "nested:\n  known: abc\n", []string{"spec.yml: line 2"}},
		{"all errors at once", "nam: x\nvolume: {}\n", []string{`"nam"`, `"volume"`}},
		{"not a mapping", "- a\n", []string{"spec.yml:1: expected a mapping"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var s sample
			err := Decode("spec.yml", []byte(tc.doc), &s)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Decode() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Decode() = nil, want an error containing %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Decode() error = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestDecodeEmptyDocument(t *testing.T) {
	t.Parallel()
	s := sample{Name: "kept"}
	if err := Decode("f", nil, &s); err != nil || s.Name != "kept" {
		t.Fatalf("Decode(empty) = %v, name %q; want nil and the value kept", err, s.Name)
	}
}

func TestNearest(t *testing.T) {
	t.Parallel()
	keys := []string{"volumes", "namespace", "config", "configmaps"}
	for word, want := range map[string]string{
		"volume": "volumes", "namspace": "namespace", "configmap": "configmaps", "xyz": "", "": "",
	} {
		if got := Nearest(word, keys); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", word, got, want)
		}
	}
}

func TestDecodeAliasBombIsRejectedQuickly(t *testing.T) {
	t.Parallel()
	doc := "a: &a [x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		doc += n + ": &" + n + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
		prev = n
	}
	var s sample
	if err := Decode("bomb.yml", []byte(doc), &s); err == nil {
		t.Fatal("Decode(alias bomb) = nil, want an error")
	}
}
