package conformance

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/kubectl-stack/kubectl-stack/pkg/compose"
	"github.com/kubectl-stack/kubectl-stack/test/conformance/report"
)

// Class is how kubectl stack's observation compares with docker compose's.
type Class string

const (
	// Identical: the container saw the same.
	Identical Class = "identical"
	// Equivalent: it saw something else, for a documented reason the row
	// gives, which the user need not act on or knows how to.
	Equivalent Class = "equivalent"
	// Differs: it saw something else.
	Differs Class = "differs"
)

// Row is one behaviour of one service.
type Row struct {
	Service   string
	Behaviour string
	Compose   string
	Stack     string
	Class     Class
	// Why explains an equivalent row.
	Why string
}

// Missing is the observation of a service that gave no report.
const Missing = "(no report)"

// Compare compares the reports of each service, behaviour by behaviour.
func (p *Project) Compare(composeSide, stackSide map[string]report.Report) []Row {
	var rows []Row
	for _, svc := range p.Services {
		stacked, ok := stackSide[svc]
		if !ok {
			// The probe's PROBE_SERVICE names it, and kubectl stack
			// rewrites a renamed service's name in environment values.
			stacked = stackSide[p.renamed[svc]]
		}
		c, s := flatten(composeSide[svc], composeSide[svc].Service != ""), flatten(p.unrename(stacked), stacked.Service != "")
		p.addOrder(c, svc, func(n string) report.Report { return composeSide[n] })
		p.addOrder(s, svc, func(n string) report.Report {
			if r, ok := stackSide[n]; ok {
				return r
			}
			return stackSide[p.renamed[n]]
		})
		for _, b := range Union(c, s) {
			row := Row{Service: svc, Behaviour: b, Compose: orMissing(c, b), Stack: orMissing(s, b)}
			row.Class, row.Why = p.classify(row)
			rows = append(rows, row)
		}
	}
	return rows
}

// Union is the keys of a and b, sorted, each once.
func Union[V any](a, b map[string]V) []string {
	keys := slices.Concat(slices.Collect(maps.Keys(a)), slices.Collect(maps.Keys(b)))
	slices.Sort(keys)
	return slices.Compact(keys)
}

func orMissing(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return Missing
}

// flatten turns a report into behaviour → observation.
func flatten(r report.Report, present bool) map[string]string {
	if !present {
		return map[string]string{"report": Missing}
	}
	out := map[string]string{
		"report":        "given",
		"argv":          strings.Join(r.Argv, " "),
		"working_dir":   r.Cwd,
		"user":          fmt.Sprintf("%d:%d", r.UID, r.GID),
		"hostname":      r.Hostname,
		"root writable": strconv.FormatBool(r.RootWritable),
	}
	for k, v := range r.Env {
		out["env "+k] = v
	}
	for n, count := range r.Names {
		out["resolves "+n] = resolved(count)
	}
	for d, v := range r.Dial {
		out["reaches "+d] = v
	}
	for path, p := range r.Paths {
		out["path "+path] = describePath(p)
	}
	for k, v := range r.Kernel {
		out[k] = v
	}
	return out
}

func resolved(count int) string {
	switch count {
	case 0:
		return "no"
	case 1:
		return "yes"
	}
	return fmt.Sprintf("yes (%d addresses)", count)
}

func describePath(p report.Path) string {
	if p.Kind == "missing" {
		return "missing"
	}
	parts := []string{p.Kind}
	if p.Digest != "" {
		parts = append(parts, "content "+p.Digest)
	}
	if p.Writable {
		parts = append(parts, "writable")
	} else {
		parts = append(parts, "read-only")
	}
	if p.Tmpfs {
		parts = append(parts, "tmpfs")
	}
	return strings.Join(parts, ", ")
}

// unrename writes the names of renamed services in a report's keys and
// values back as the compose file writes them, so that a name Kubernetes
// cannot carry (cache_redis, reached as cache-redis) is compared with
// itself; classify calls such rows equivalent.
func (p *Project) unrename(r report.Report) report.Report {
	if len(p.renamed) == 0 {
		return r
	}
	back := map[string]string{}
	for written, k8s := range p.renamed {
		back[k8s] = written
	}
	names := map[string]int{}
	for n, c := range r.Names {
		names[cmp.Or(back[n], n)] = c
	}
	dial := map[string]string{}
	for d, v := range r.Dial {
		host, rest, _ := strings.Cut(d, ":")
		dial[cmp.Or(back[host], host)+":"+rest] = v
	}
	r.Names, r.Dial = names, dial
	return r
}

// containerID is docker's default hostname: the container's short ID.
var containerID = regexp.MustCompile(`^[0-9a-f]{12}$`)

// classify says how a row compares, and why an equivalent one is.
func (p *Project) classify(r Row) (Class, string) {
	if r.Compose == r.Stack {
		return Identical, ""
	}
	switch {
	case r.Behaviour == "hostname" && containerID.MatchString(r.Compose) && strings.HasPrefix(r.Stack, "laconic-"):
		return Equivalent, "without hostname:, each platform names the container itself: docker its short ID, Kubernetes the pod's name"
	case strings.HasPrefix(r.Behaviour, "env ") && p.renamesExplain(r.Compose, r.Stack):
		return Equivalent, "a renamed service's name in an environment value is rewritten to the name it is reached by"
	case strings.HasPrefix(r.Behaviour, "resolves ") && p.runOnce[strings.TrimPrefix(r.Behaviour, "resolves ")] && r.Compose == "no" && r.Stack == "yes":
		return Equivalent, "a service that ran once keeps its Service, and so its name, after its Job completed; connecting to it fails, as to docker's exited container, whose name no longer resolves"
	case r.Behaviour == "pid 1" && r.Compose == "docker-init" && r.Stack == "pause":
		return Equivalent, "init: true: the pod shares its process namespace, whose first process, Kubernetes' pause, reaps orphaned processes as docker's init does (the kubelet signals each container's process itself)"
	case p.secretPaths[r.Service+" "+strings.TrimPrefix(r.Behaviour, "path ")] && r.Stack == r.Compose+", tmpfs":
		return Equivalent, "the same file; Kubernetes keeps a Secret's files in memory (tmpfs), never on the node's disk"
	}
	if p.volumePaths[r.Service+" "+strings.TrimPrefix(r.Behaviour, "path ")] && strings.Contains(r.Stack, "content empty") {
		return Differs, "a new volume starts empty on Kubernetes, where docker fills it with the image's files; create notes it, naming the volume and path"
	}
	return Differs, ""
}

// renamesExplain: stack is compose with renamed services' names rewritten.
func (p *Project) renamesExplain(compose, stack string) bool {
	out := compose
	for written, k8s := range p.renamed {
		out = strings.ReplaceAll(out, written, k8s)
	}
	return out == stack && out != compose
}

// Tally counts rows by class.
func Tally(rows []Row) map[Class]int {
	out := map[Class]int{}
	for _, r := range rows {
		out[r.Class]++
	}
	return out
}

// Lines are the comparison as `make conformance` prints it: one line per
// behaviour, `<class> <service> <behaviour>`, then the tally.
func Lines(rows []Row) []string {
	var out []string
	for _, r := range rows {
		line := fmt.Sprintf("%s %s %s", r.Class, r.Service, r.Behaviour)
		if r.Class != Identical {
			line += fmt.Sprintf(" (docker compose: %s; kubectl stack: %s)", r.Compose, r.Stack)
		}
		out = append(out, line)
	}
	t := Tally(rows)
	return append(out, fmt.Sprintf("conformance: identical=%d equivalent=%d differs=%d", t[Identical], t[Equivalent], t[Differs]))
}

// addOrder adds, for each depends_on entry of svc, whether svc started
// only once the dependency met its condition: started (its process ran
// before), healthy (it answered its healthcheck before), completed (it
// had exited 0 before).
func (p *Project) addOrder(out map[string]string, svc string, get func(string) report.Report) {
	self := get(svc)
	for _, d := range p.deps[svc] {
		key := "order after " + d.Service + " " + strings.TrimPrefix(d.Condition, "service_")
		dep := get(d.Service)
		switch {
		case self.Service == "" || dep.Service == "":
			out[key] = Missing
		case d.Condition == compose.ConditionHealthy:
			out[key] = yesNo(!dep.HealthyAt.IsZero() && !self.Started.Before(dep.HealthyAt))
		case d.Condition == compose.ConditionStarted:
			out[key] = yesNo(!self.Started.Before(dep.Started))
		case d.Condition == compose.ConditionCompleted:
			out[key] = yesNo(!dep.ExitingAt.IsZero() && dep.ExitCode == 0 && !self.Started.Before(dep.ExitingAt))
		}
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
