package compose

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"
)

var (
	// "validating f.yml: services.web.replicas ..." (schema errors)
	schemaPath = regexp.MustCompile(`\b(services\.[A-Za-z0-9_.-]+)`)
	// "'services[web].healthcheck.interval' time: invalid duration" (decoding)
	decodePath = regexp.MustCompile(`'services\[([^\]]+)\]((?:\.[A-Za-z0-9_-]+|\[\d+\])*)'`)
)

// errorLine finds the line of the compose file that a compose-go error is
// about, which compose-go's messages name by path or not at all. It returns
// 0 when it cannot tell.
func errorLine(data []byte, err error) int {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 {
		return 0
	}
	doc := root.Content[0]
	msg := err.Error()
	if m := decodePath.FindStringSubmatch(msg); m != nil {
		rest := strings.NewReplacer("[", ".", "]", "").Replace(m[2])
		return lineAt(doc, append([]string{"services", m[1]}, splitPath(rest)...))
	}
	if m := schemaPath.FindStringSubmatch(msg); m != nil {
		return lineAt(doc, splitPath(m[1]))
	}
	return badPortLine(doc)
}

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(p, ".") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// lineAt follows path through mappings (keys) and sequences (indexes) and
// returns the line of the deepest node it reaches.
func lineAt(n *yaml.Node, path []string) int {
	line := n.Line
	for _, seg := range path {
		next := child(n, seg)
		if next == nil {
			break
		}
		n, line = next, next.Line
	}
	return line
}

func child(n *yaml.Node, seg string) *yaml.Node {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == seg {
				return n.Content[i+1]
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(seg); err == nil && i < len(n.Content) {
			return n.Content[i]
		}
	}
	return nil
}

// badPortLine finds the first short-syntax port that does not parse: port
// errors from compose-go name neither the service nor the line.
func badPortLine(doc *yaml.Node) int {
	services := child(doc, "services")
	if services == nil || services.Kind != yaml.MappingNode {
		return 0
	}
	for i := 1; i < len(services.Content); i += 2 {
		ports := child(services.Content[i], "ports")
		if ports == nil {
			continue
		}
		for _, p := range ports.Content {
			if p.Kind == yaml.ScalarNode {
				if _, err := types.ParsePortConfig(p.Value); err != nil {
					return p.Line
				}
			}
		}
	}
	return 0
}

// withLine prefixes a compose-go error with file:line when the line is known.
// withLines is withLine for the file of a project that err names (the
// first when it names none).
func withLines(files []types.ConfigFile, err error) error {
	for _, f := range files[1:] {
		if strings.Contains(err.Error(), f.Filename) {
			return withLine(f.Filename, f.Content, err)
		}
	}
	return withLine(files[0].Filename, files[0].Content, err)
}

func withLine(path string, data []byte, err error) error {
	err = oneBasedLines(err)
	if line := errorLine(data, err); line > 0 {
		return fmt.Errorf("%s:%d: %w", path, line, err)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// yamlLine matches the positions in the YAML parser's messages.
var yamlLine = regexp.MustCompile(`\bline (\d+)`)

// oneBasedLines rewrites the positions of syntax errors, which the YAML
// parser compose-go uses counts from 0 ("line 3, column 4" for the fourth
// line), to the 1-based lines editors show. Its "construct errors" (a
// duplicate key) already count from 1 and are left alone.
func oneBasedLines(err error) error {
	msg := err.Error()
	if !strings.Contains(msg, "yaml: ") || strings.Contains(msg, "construct errors") {
		return err
	}
	return errors.New(yamlLine.ReplaceAllStringFunc(msg, func(m string) string {
		n, _ := strconv.Atoi(strings.TrimPrefix(m, "line "))
		return fmt.Sprintf("line %d", n+1)
	}))
}
