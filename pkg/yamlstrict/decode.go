package yamlstrict

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// KeyError is an unknown key found while decoding.
type KeyError struct {
	File       string
	Line       int
	Key        string
	Path       string // dotted path of the mapping holding the key, "" at top level
	Suggestion string // nearest valid key, "" when none is close
}

func (e *KeyError) Error() string {
	where := fmt.Sprintf("%s:%d", e.File, e.Line)
	msg := fmt.Sprintf("unknown key %q at %s", e.Key, where)
	if e.Path != "" {
		msg = fmt.Sprintf("unknown key %q under %q at %s", e.Key, e.Path, where)
	}
	if e.Suggestion != "" {
		msg += fmt.Sprintf("; did you mean %q?", e.Suggestion)
	}
	return msg
}

// Decode reads one YAML document from data into out (a pointer to a struct).
// Every key that out's type does not declare is reported; type errors carry
// the file name and line. An empty document leaves out unchanged.
func Decode(file string, data []byte, out any) error {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return fmt.Errorf("%s: %w", file, cleanYAMLError(err))
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind == yaml.ScalarNode && doc.Tag == "!!null" {
		return nil
	}
	if doc.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: expected a mapping of keys at the top level, found %s", file, doc.Line, kindName(doc))
	}
	errs := UnknownKeys(file, doc, reflect.TypeOf(out).Elem())
	if err := doc.Decode(out); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", file, cleanYAMLError(err)))
	}
	return errors.Join(errs...)
}

// Encode marshals v as YAML with two-space indentation.
func Encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// UnknownKeys walks node against t and returns a KeyError for every mapping
// key that t does not declare. Maps accept any key; a struct field tagged
// ",inline" with a map type accepts the keys the struct does not declare.
func UnknownKeys(file string, node *yaml.Node, t reflect.Type) []error {
	w := walker{file: file, seen: map[*yaml.Node]bool{}}
	w.walk(node, t, "")
	return w.errs
}

type walker struct {
	file string
	errs []error
	// seen holds alias targets already walked: each anchored node is
	// checked once, so an alias bomb cannot make the walk exponential.
	seen map[*yaml.Node]bool
}

func (w *walker) walk(node *yaml.Node, t reflect.Type, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if node.Kind == yaml.AliasNode {
		if node.Alias == nil || w.seen[node.Alias] {
			return
		}
		w.seen[node.Alias] = true
		node = node.Alias
	}
	switch {
	case t.Kind() == reflect.Struct && node.Kind == yaml.MappingNode:
		w.walkStruct(node, t, path)
	case t.Kind() == reflect.Map && node.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(node.Content); i += 2 {
			w.walk(node.Content[i+1], t.Elem(), join(path, node.Content[i].Value))
		}
	case t.Kind() == reflect.Slice && node.Kind == yaml.SequenceNode:
		for _, item := range node.Content {
			w.walk(item, t.Elem(), path)
		}
	}
}

func (w *walker) walkStruct(node *yaml.Node, t reflect.Type, path string) {
	fields, inline := structKeys(t)
	for i := 0; i+1 < len(node.Content); i += 2 {
		key, value := node.Content[i], node.Content[i+1]
		if ft, ok := fields[key.Value]; ok {
			w.walk(value, ft, join(path, key.Value))
			continue
		}
		if inline != nil {
			w.walk(value, inline.Elem(), join(path, key.Value))
			continue
		}
		w.errs = append(w.errs, &KeyError{
			File: w.file, Line: key.Line, Key: key.Value, Path: path,
			Suggestion: Nearest(key.Value, slices.Sorted(maps.Keys(fields))),
		})
	}
}

// structKeys returns the YAML keys a struct type declares, with their types,
// and the type of an inline map field if it has one.
func structKeys(t reflect.Type) (map[string]reflect.Type, reflect.Type) {
	fields := map[string]reflect.Type{}
	var inline reflect.Type
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(opts, "inline") {
			if f.Type.Kind() == reflect.Map {
				inline = f.Type
				continue
			}
			sub, subInline := structKeys(f.Type)
			for k, v := range sub {
				fields[k] = v
			}
			if subInline != nil {
				inline = subInline
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	return fields, inline
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("the value %q", n.Value)
	default:
		return "something else"
	}
}

// cleanYAMLError drops the "yaml: " prefix and joins multi-line type errors
// so that each reads "line N: ..." after the file name.
func cleanYAMLError(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return errors.New(strings.Join(te.Errors, "; "))
	}
	return errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
}

// DecodeLenient decodes data into out, ignoring unknown keys.
func DecodeLenient(data []byte, out any) error {
	if err := yaml.Unmarshal(data, out); err != nil {
		return cleanYAMLError(err)
	}
	return nil
}
