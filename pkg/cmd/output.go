package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// outputFlag is -o of the verbs that print data: a machine format, or
// (when empty) the verb's table or text.
type outputFlag struct {
	Output string
	// formats are the machine formats offered; text names the default.
	formats []string
	text    string
}

func (f *outputFlag) add(cmd *cobra.Command, text string, formats ...string) {
	f.formats, f.text = formats, text
	cmd.Flags().StringVarP(&f.Output, "output", "o", f.Output, fmt.Sprintf("Output format: %s (default: %s).", orList(formats), text))
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
}

// Validate accepts an offered format or none.
func (f *outputFlag) Validate() error {
	if f.Output == "" || slices.Contains(f.formats, f.Output) {
		return nil
	}
	return fmt.Errorf("--output %q: use %s, or leave it out for %s", f.Output, orList(f.formats), f.text)
}

// orList writes "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// print writes v in the chosen machine format, or for -o name the names
// (kind/name, as kubectl's -o name), and reports whether it did (false:
// the verb prints its table or text). The shapes of v are documented in
// docs/output.md, which a golden test keeps current.
func (f *outputFlag) print(w io.Writer, v any, names ...string) (bool, error) {
	switch f.Output {
	case "name":
		for _, n := range names {
			if _, err := fmt.Fprintln(w, n); err != nil {
				return true, err
			}
		}
		return true, nil
	case "json":
		return true, printJSON(w, v)
	case "yaml":
		data, err := yaml.Marshal(v)
		if err == nil {
			_, err = w.Write(data)
		}
		return true, err
	}
	return false, nil
}

// printJSON writes v as indented JSON, the -o json of every verb.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printObjects prints objects as kubectl apply --dry-run=client does:
// -o yaml as YAML documents, -o json as a v1 List, otherwise one line per
// object.
func printObjects(w io.Writer, format string, objects []*unstructured.Unstructured) error {
	switch format {
	case "json":
		items := make([]any, len(objects))
		for i, o := range objects {
			items[i] = o.Object
		}
		return printJSON(w, map[string]any{"apiVersion": "v1", "kind": "List", "items": items})
	case "yaml":
		for i, o := range objects {
			data, err := yaml.Marshal(o.Object)
			if err != nil {
				return err
			}
			if i > 0 {
				fmt.Fprintln(w, "---")
			}
			if _, err := w.Write(data); err != nil {
				return err
			}
		}
		return nil
	}
	for _, o := range objects {
		fmt.Fprintf(w, "%s/%s created (dry run)\n", strings.ToLower(o.GetKind()), o.GetName())
	}
	return nil
}
