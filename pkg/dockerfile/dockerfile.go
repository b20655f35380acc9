// Package dockerfile reads what kubectl-stack needs to know of a
// Dockerfile: where the stage an image is built from puts its whole build
// context. It is the one user of BuildKit's Dockerfile parser.
package dockerfile

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// stage is one FROM ... of a Dockerfile as far as it is followed here.
type stage struct {
	name    string
	workdir string
	// contextAt are the image directories the whole context was copied to.
	contextAt []string
}

// ContextDestinations returns the directories of the image built from the
// Dockerfile (the stage target, or the last one) that hold the whole build
// context: the destinations of COPY or ADD of "." (not --from another
// stage or image), against the WORKDIR in force, including those of the
// stages it is built FROM. A destination naming a variable is left out
// (what it expands to is not known here).
func ContextDestinations(data []byte, target string) ([]string, error) {
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	var stages []*stage
	for _, n := range res.AST.Children {
		cmd := strings.ToLower(n.Value)
		if cmd == "from" {
			stages = append(stages, newStage(n, stages))
			continue
		}
		if len(stages) == 0 {
			continue // ARG before the first FROM
		}
		cur := stages[len(stages)-1]
		switch cmd {
		case "workdir":
			if dir := args(n); len(dir) == 1 {
				cur.workdir = against(cur.workdir, dir[0])
			}
		case "copy", "add":
			if dest, ok := contextDestination(n, cur.workdir); ok {
				cur.contextAt = append(cur.contextAt, dest)
			}
		}
	}
	if len(stages) == 0 {
		return nil, fmt.Errorf("the Dockerfile has no FROM")
	}
	if target == "" {
		return clean(stages[len(stages)-1].contextAt), nil
	}
	for _, s := range stages {
		if strings.EqualFold(s.name, target) {
			return clean(s.contextAt), nil
		}
	}
	return nil, fmt.Errorf("the Dockerfile has no stage %q (build.target)", target)
}

// newStage starts a stage; FROM an earlier stage inherits its WORKDIR and
// what it copied.
func newStage(n *parser.Node, earlier []*stage) *stage {
	a := args(n)
	s := &stage{workdir: "/"}
	if len(a) >= 3 && strings.EqualFold(a[1], "as") {
		s.name = a[2]
	}
	if len(a) > 0 {
		for _, e := range earlier {
			if e.name != "" && strings.EqualFold(e.name, a[0]) {
				s.workdir, s.contextAt = e.workdir, slices.Clone(e.contextAt)
			}
		}
	}
	return s
}

// contextDestination is where a COPY or ADD puts the whole context, if it
// copies it: one of its sources is "." (or "./"), and it copies from the
// context, not --from elsewhere.
func contextDestination(n *parser.Node, workdir string) (string, bool) {
	for _, f := range n.Flags {
		if strings.HasPrefix(f, "--from") {
			return "", false
		}
	}
	a := args(n)
	if len(a) < 2 {
		return "", false
	}
	sources, dest := a[:len(a)-1], a[len(a)-1]
	if !slices.ContainsFunc(sources, func(s string) bool { return path.Clean(s) == "." }) || strings.Contains(dest, "$") {
		return "", false
	}
	return against(workdir, dest), true
}

func args(n *parser.Node) []string {
	var out []string
	for a := n.Next; a != nil; a = a.Next {
		out = append(out, a.Value)
	}
	return out
}

// against resolves a path of an instruction against the WORKDIR.
func against(workdir, p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	return path.Join(workdir, p)
}

func clean(dirs []string) []string {
	slices.Sort(dirs)
	return slices.Compact(dirs)
}
