package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/hooks"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

const laconic = "../deployment/testdata/laconic"

// run executes the command line in dir and returns stdout, stderr and the
// error.
func run(t *testing.T, dir string, args ...string) (string, string, error) {
	t.Helper()
	if dir != "" {
		t.Chdir(dir)
	}
	streams, _, out, errOut := genericiooptions.NewTestIOStreams()
	root := NewCmdStack(streams)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func stackDir(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	testutil.CopyTree(t, laconic, root)
	return root
}

func TestInitWritesGoldenSpec(t *testing.T) {
	golden, err := filepath.Abs("testdata/init-spec.golden.yml")
	if err != nil {
		t.Fatal(err)
	}
	root := stackDir(t)
	out, errOut, err := run(t, root, "init", "--stack", "stacks/demo", "--output", "spec.yml", "--config", "MODE=dev", "--config", "GREETING=hello world")
	if err != nil {
		t.Fatalf("init: %v\n%s", err, errOut)
	}
	if out != "" {
		t.Errorf("init wrote %q to stdout; data only goes there, and init has none", out)
	}
	data, err := os.ReadFile(filepath.Join(root, "spec.yml"))
	if err != nil {
		t.Fatal(err)
	}
	testutil.AssertGolden(t, data, golden)
}

// TestInitTurnsPodPerServiceOnForComposeProjects: a plain compose project's
// services expect containers of their own; a laconic-so stack's compose
// files are pods by design (the golden spec has no pod-per-service).
func TestInitTurnsPodPerServiceOnForComposeProjects(t *testing.T) {
	golden, err := filepath.Abs("testdata/init-spec.golden.yml")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	testutil.WriteFile(t, root, "shop/compose.yaml", "services:\n  web:\n    image: nginx\n  admin:\n    image: nginx\n")
	if _, errOut, err := run(t, root, "init", "--stack", "shop", "--output", "spec.yml"); err != nil {
		t.Fatalf("init: %v\n%s", err, errOut)
	}
	if spec := testutil.ReadFile(t, filepath.Join(root, "spec.yml")); !strings.Contains(spec, "\npod-per-service: true\n") {
		t.Errorf("the spec of a compose project does not turn pod-per-service on:\n%s", spec)
	}
	if golden := testutil.ReadFile(t, golden); strings.Contains(golden, "pod-per-service") {
		t.Errorf("the laconic-so stack's golden spec mentions pod-per-service:\n%s", golden)
	}
}

// TestInitLeavesLoopbackPortsUnpublished: a compose port bound to a
// loopback address is local only; the spec init writes must not turn it
// into a NodePort open on every node (a listed service replaces compose's
// ports, so it is listed without it).
func TestInitLeavesLoopbackPortsUnpublished(t *testing.T) {
	root := t.TempDir()
	testutil.WriteFile(t, root, "shop/compose.yaml", `services:
  db:
    image: postgres
    ports: ["127.0.0.1:5432:5432"]
  web:
    image: nginx
    ports: ["[::1]:8443:443", "30080:80"]
`)
	if _, errOut, err := run(t, root, "init", "--stack", "shop", "--output", "spec.yml"); err != nil {
		t.Fatalf("init: %v\n%s", err, errOut)
	}
	s, err := spec.Load(filepath.Join(root, "spec.yml"))
	if err != nil {
		t.Fatal(err)
	}
	db, listed := s.Network.Ports["db"]
	if got := fmt.Sprint(db, " ", s.Network.Ports["web"]); !listed || got != "[] [30080:80]" {
		t.Errorf("network.ports db, web = %s (db listed: %v), want [] and [30080:80]\n%s", got, listed, testutil.ReadFile(t, filepath.Join(root, "spec.yml")))
	}
}

func TestInitRefusesToOverwrite(t *testing.T) {
	root := stackDir(t)
	testutil.WriteFile(t, root, "spec.yml", "stack: mine\n")
	_, _, err := run(t, root, "init", "--stack", "stacks/demo", "--output", "spec.yml")
	if err == nil || !strings.Contains(err.Error(), "will not overwrite") || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("init over an existing file = %v, want a refusal that mentions --force", err)
	}
	if data, _ := os.ReadFile(filepath.Join(root, "spec.yml")); string(data) != "stack: mine\n" {
		t.Errorf("the existing spec was changed to %q", data)
	}
	if _, _, err := run(t, root, "init", "--stack", "stacks/demo", "--output", "spec.yml", "--force"); err != nil {
		t.Fatalf("init --force = %v", err)
	}
}

func TestInitRejectsBadFlags(t *testing.T) {
	root := stackDir(t)
	cases := map[string][]string{
		`--deploy-to "compose"`:          {"init", "--stack", "stacks/demo", "--output", "s.yml", "--deploy-to", "compose"},
		"--output is required":           {"init", "--stack", "stacks/demo"},
		`--config "NOVALUE"`:             {"init", "--stack", "stacks/demo", "--output", "s.yml", "--config", "NOVALUE"},
		`--map-ports-to-host "sideways"`: {"init", "--stack", "stacks/demo", "--output", "s.yml", "--map-ports-to-host", "sideways"},
		"outside the NodePort range":     {"init", "--stack", "stacks/demo", "--output", "s.yml", "--map-ports-to-host", "localhost-same"},
	}
	for want, args := range cases {
		_, _, err := run(t, root, args...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v = %v, want an error containing %q", args, err, want)
		}
		if _, statErr := os.Stat(filepath.Join(root, "s.yml")); statErr == nil {
			t.Errorf("%v wrote s.yml despite failing", args)
		}
	}
}

func TestInitThenCreateThenUpdate(t *testing.T) {
	root := stackDir(t)
	if _, errOut, err := run(t, root, "init", "--stack", "stacks/demo", "--output", "spec.yml"); err != nil {
		t.Fatalf("init: %v\n%s", err, errOut)
	}
	out, errOut, err := run(t, root, "create", "--spec-file", "spec.yml", "--deployment-dir", "dep")
	if err != nil {
		t.Fatalf("create: %v\n%s", err, errOut)
	}
	if want := filepath.Join(root, "dep") + "\n"; out != want {
		t.Errorf("create stdout = %q, want the directory %q", out, want)
	}
	if !strings.Contains(errOut, "created ") || !strings.Contains(errOut, "deployment-id laconic-") {
		t.Errorf("create stderr = %q, want progress with the IDs", errOut)
	}
	_, _, err = run(t, root, "create", "--spec-file", "spec.yml", "--deployment-dir", "dep")
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second create = %v, want already exists", err)
	}
	_, errOut, err = run(t, root, "create", "--spec-file", "spec.yml", "-d", "dep", "--update")
	if err != nil || !strings.Contains(errOut, "is up to date") {
		t.Fatalf("create --update = %v, stderr %q", err, errOut)
	}
}

func TestVersionAndHelp(t *testing.T) {
	out, _, err := run(t, "", "version")
	if err != nil || strings.TrimSpace(out) == "" {
		t.Fatalf("version = %q, %v", out, err)
	}
	out, _, err = run(t, "", "create", "--help")
	if err != nil || !strings.Contains(out, "kubectl stack create --spec-file") {
		t.Errorf("help does not read 'kubectl stack ...':\n%s", out)
	}
	out, _, err = run(t, "", "completion", "bash")
	if err != nil || !strings.Contains(out, "bash completion") {
		t.Errorf("completion bash = %v", err)
	}
}

func TestRunReportsUnknownCommand(t *testing.T) {
	var errOut bytes.Buffer
	err := Run(context.Background(), []string{"crate"}, genericiooptions.IOStreams{Out: &bytes.Buffer{}, ErrOut: &errOut})
	if err == nil || !strings.HasPrefix(errOut.String(), "error: ") {
		t.Fatalf("Run(crate) = %v, stderr %q; want one error line", err, errOut.String())
	}
}

func TestRenderWritesTreeAndStdout(t *testing.T) {
	src, err := filepath.Abs("../render/testdata/laconic-so-test")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "dep")
	testutil.CopyTree(t, src, dir)
	out, errOut, err := run(t, "", "render", "-d", dir)
	if err != nil {
		t.Fatalf("render: %v\n%s", err, errOut)
	}
	overlay := filepath.Join(dir, "kustomize", "overlays", "laconic-f554yj0t")
	if strings.TrimSpace(out) != overlay {
		t.Errorf("render stdout = %q, want the overlay path %s", out, overlay)
	}
	if _, err := os.Stat(filepath.Join(overlay, "kustomization.yaml")); err != nil {
		t.Errorf("overlay kustomization missing: %v", err)
	}
	if !strings.Contains(errOut, `volume "test-data-auto" has no host path`) {
		t.Errorf("render stderr = %q, want the false-persistence warning", errOut)
	}
	out, _, err = run(t, dir, "render", "--stdout")
	if err != nil || !strings.Contains(out, "name: laconic-f554yj0t-deployment") {
		t.Errorf("render --stdout from the deployment dir = %v; output lacks the Deployment", err)
	}
	if _, _, err := run(t, t.TempDir(), "render"); err == nil || !strings.Contains(err.Error(), "pass -d/--deployment-dir") {
		t.Errorf("render outside a deployment = %v, want advice to pass -d", err)
	}
}

// TestRenderRefusesBeforeWriting: flag combinations that cannot work, and
// a pipeline whose repository path is unknown, are refused with the fix
// and leave no tree behind.
func TestRenderRefusesBeforeWriting(t *testing.T) {
	src, err := filepath.Abs("../render/testdata/laconic-so-test")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "dep")
	testutil.CopyTree(t, src, dir)
	tree := filepath.Join(t.TempDir(), "tree")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--stdout", "--prune"}, "--stdout prints objects and writes no tree"},
		{[]string{"-o", tree, "--repo-url", "https://git.example.com/x.git"}, "add --flux-kustomization or --argocd-application"},
		{[]string{"-o", tree, "--flux-kustomization"}, "pass --repo-path"},
		{[]string{"-o", tree, "--argocd-application", "--repo-path", "gitops"}, "pass --repo-url"},
	} {
		_, _, err := run(t, "", append([]string{"render", "-d", dir}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("render %v = %v, want an error saying %q", tc.args, err, tc.want)
		}
		if _, err := os.Stat(tree); !os.IsNotExist(err) {
			t.Fatalf("render %v left %s behind (%v)", tc.args, tree, err)
		}
	}
	if _, _, err := run(t, "", "render", "-d", dir, "--output-dir", tree, "--flux-kustomization", "--repo-path", "clusters/dev"); err != nil {
		t.Fatal(err)
	}
	data := testutil.ReadFile(t, filepath.Join(tree, "pipelines", "laconic-f554yj0t", "flux-kustomization.yaml"))
	if !strings.Contains(data, "path: ./clusters/dev/overlays/laconic-f554yj0t") || !strings.Contains(data, "name: flux-system") {
		t.Errorf("Flux Kustomization:\n%s\nwant the overlay's path and flux bootstrap's GitRepository", data)
	}
}

// TestKubectlConventions: mistyped verbs and sub-verbs get suggestions,
// -n on a deployment verb is refused rather than ignored, a bare --dry-run
// is client and takes no argument, and a client dry run prints objects
// with a placeholder instead of needing the registry token.
func TestKubectlConventions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"deplyo"}, "Did you mean this?\n\tdeploy"},
		{[]string{"kind", "crate"}, "Did you mean this?\n\tcreate"},
		{[]string{"status", "-n", "kube-system", "-d", "."}, "-n/--namespace does not apply to kubectl stack status"},
	} {
		var errOut bytes.Buffer
		err := Run(context.Background(), tc.args, genericiooptions.IOStreams{Out: &bytes.Buffer{}, ErrOut: &errOut})
		if err == nil || !strings.Contains(errOut.String()+err.Error(), tc.want) {
			t.Errorf("%v = %v (stderr %q), want %q", tc.args, err, errOut.String(), tc.want)
		}
	}
	specPath, _ := filepath.Abs("../../examples/hello/ops/spec.yml")
	dir := filepath.Join(t.TempDir(), "dep")
	if _, errOut, err := run(t, "", "create", "--spec-file", specPath, "-d", dir); err != nil {
		t.Fatalf("create: %v\n%s", err, errOut)
	}
	t.Setenv("DEMO_REGISTRY_TOKEN", "")
	out, errOut, err := run(t, "", "deploy", "--dry-run", "-d", dir, "-o", "yaml")
	if err != nil {
		t.Fatalf("deploy --dry-run -d DIR -o yaml without the token: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "kind: Deployment") || !strings.Contains(out, "kubectl-stack.io/placeholder") {
		t.Errorf("the client dry run does not print the objects with the placeholder Secret:\n%s", out)
	}
	out, _, err = run(t, "", "deploy", "--dry-run=client", "-d", dir, "-o", "json")
	if err != nil || !strings.Contains(out, `"kind": "List"`) {
		t.Errorf("-o json = %v, want a v1 List:\n%.300s", err, out)
	}
	if _, _, err := run(t, "", "deploy", "--dry-run=client", "-d", dir, "-o", "table"); err == nil || !strings.Contains(err.Error(), "use json or yaml") {
		t.Errorf("deploy -o table = %v, want the formats named", err)
	}
}

// TestInitWritesTheStackRelativeToTheSpec: in one git checkout, init run
// from the repository root writes stack: relative to the spec's own
// directory and says so, and create works from another directory.
func TestInitWritesTheStackRelativeToTheSpec(t *testing.T) {
	repo := t.TempDir()
	testutil.CopyTree(t, "../../examples/hello/stacks", filepath.Join(repo, "stacks"))
	testutil.CopyTree(t, "../../examples/hello/compose", filepath.Join(repo, "compose"))
	testutil.CopyTree(t, "../../examples/hello/compose-jobs", filepath.Join(repo, "compose-jobs"))
	testutil.CopyTree(t, "../../examples/hello/config", filepath.Join(repo, "config"))
	testutil.Git(t, repo, "init", "-q")
	_, errOut, err := run(t, repo, "init", "--stack", "stacks/hello", "--output", "ops/spec.yml")
	if err != nil {
		t.Fatalf("init: %v\n%s", err, errOut)
	}
	spec := testutil.ReadFile(t, filepath.Join(repo, "ops/spec.yml"))
	if !strings.Contains(spec, "\nstack: ../stacks/hello\n") || !strings.Contains(errOut, "relative to the spec's directory") {
		t.Errorf("spec.yml's stack: and init's note:\n%s\n%s\nwant ../stacks/hello, said to be relative to the spec", spec, errOut)
	}
	if _, errOut, err := run(t, t.TempDir(), "create", "--spec-file", filepath.Join(repo, "ops/spec.yml"), "-d", filepath.Join(t.TempDir(), "dep")); err != nil {
		t.Errorf("create from another directory: %v\n%s", err, errOut)
	}
}

// TestEveryVerbHasExamples: the help of every command that runs something
// shows how it is used.
func TestEveryVerbHasExamples(t *testing.T) {
	root := NewCmdStack(genericiooptions.IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" || sub.Name() == "completion" {
				continue
			}
			if sub.HasSubCommands() {
				walk(sub)
				continue
			}
			if strings.TrimSpace(sub.Example) == "" {
				t.Errorf("%s has no examples in its help", sub.CommandPath())
			}
		}
	}
	walk(root)
}

// TestCompletionOfFlagValues: -d completes deployment directories,
// SERVICE and --image the deployment's compose services, -o and --dry-run
// their values.
func TestCompletionOfFlagValues(t *testing.T) {
	specPath, _ := filepath.Abs("../../examples/hello/ops/spec.yml")
	root := t.TempDir()
	if _, errOut, err := run(t, root, "create", "--spec-file", specPath, "-d", "dep"); err != nil {
		t.Fatalf("create: %v\n%s", err, errOut)
	}
	if err := os.Mkdir(filepath.Join(root, "other"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "status", "-d", ""}, []string{"dep\n", "other/\n"}},
		{[]string{"__complete", "logs", "-d", "dep", ""}, []string{"counter\n", "seed\n", "web\n"}},
		{[]string{"__complete", "deploy", "-d", "dep", "--image", ""}, []string{"web=\n", "counter=\n"}},
		{[]string{"__complete", "deploy", "--dry-run="}, []string{"client\n", "server\n"}},
		{[]string{"__complete", "status", "-o", ""}, []string{"json\n", "yaml\n"}},
	} {
		out, _, err := run(t, root, tc.args...)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v:\n%s\nwant %q among the completions", tc.args[1:], out, strings.TrimSpace(w))
			}
		}
	}
	out, _, err := run(t, root, "version", "-o", "json")
	if err != nil || !strings.Contains(out, `"version"`) || !strings.Contains(out, `"platform"`) {
		t.Errorf("version -o json = %v:\n%s", err, out)
	}
}

// TestInitShowsHooksAndAllowsThemOnlyWhenAsked: init lists the stack's
// hooks with their digests; the spec records the digests commented out,
// active only with --allow-hooks, and either spec loads.
func TestInitShowsHooksAndAllowsThemOnlyWhenAsked(t *testing.T) {
	root := t.TempDir()
	testutil.WriteFile(t, root, "shop/compose.yaml", "services:\n  web:\n    image: nginx\n")
	script := "#!/bin/sh\necho migrate\n"
	testutil.WriteFile(t, root, "shop/deploy/hooks/create", script)
	digest := hooks.Digest([]byte(script))
	_, errOut, err := run(t, root, "init", "--stack", "shop", "--output", "asked.yml")
	if err != nil {
		t.Fatalf("init: %v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "hook create ("+digest) || !strings.Contains(errOut, "run only once allowed") {
		t.Errorf("init did not show the hook and how to allow it:\n%s", errOut)
	}
	asked, err := spec.Load(filepath.Join(root, "asked.yml"))
	if err != nil || len(asked.Hooks) != 0 || !strings.Contains(testutil.ReadFile(t, filepath.Join(root, "asked.yml")), "#   create: "+digest) {
		t.Errorf("without --allow-hooks the spec allows %v (%v), want the digest commented out", asked.Hooks, err)
	}
	if _, errOut, err := run(t, root, "init", "--stack", "shop", "--output", "allowed.yml", "--allow-hooks"); err != nil {
		t.Fatalf("init --allow-hooks: %v\n%s", err, errOut)
	}
	allowed, err := spec.Load(filepath.Join(root, "allowed.yml"))
	if err != nil || allowed.Hooks["create"] != digest {
		t.Errorf("init --allow-hooks recorded %v (%v), want create: %s", allowed.Hooks, err, digest)
	}
}

// TestInitSplitsALaconicStackWhoseServicesShareAPort: a laconic-so stack
// is one pod per compose file, but two of its services on one container
// port cannot share a pod: init writes pod-per-service: true, saying why,
// and create accepts the stack with it.
func TestInitSplitsALaconicStackWhoseServicesShareAPort(t *testing.T) {
	root := t.TempDir()
	testutil.WriteFile(t, root, "stacks/web/stack.yml", "version: \"1.0\"\nname: web\npods:\n  - web\n")
	testutil.WriteFile(t, root, "compose/docker-compose-web.yml", "services:\n  frontend:\n    image: nginx\n    expose: [\"80\"]\n  api:\n    image: httpd\n    ports: [\"80\"]\n")
	if _, errOut, err := run(t, root, "init", "--stack", "stacks/web", "--output", "spec.yml"); err != nil {
		t.Fatalf("init: %v\n%s", err, errOut)
	}
	written := testutil.ReadFile(t, filepath.Join(root, "spec.yml"))
	if !strings.Contains(written, "\npod-per-service: true\n") || !strings.Contains(written, "services api and frontend both listen on 80/tcp") {
		t.Fatalf("init of a laconic-so stack with a shared port:\n%s", written)
	}
	if _, errOut, err := run(t, root, "create", "--spec-file", "spec.yml", "-d", "dep"); err != nil {
		t.Errorf("create from that spec: %v\n%s", err, errOut)
	}
	// Without a shared port the stack keeps its pod (the golden spec).
	testutil.WriteFile(t, root, "compose/docker-compose-web.yml", "services:\n  frontend:\n    image: nginx\n    expose: [\"80\"]\n  api:\n    image: httpd\n    ports: [\"8080\"]\n")
	if _, errOut, err := run(t, root, "init", "--stack", "stacks/web", "--output", "spec2.yml"); err != nil {
		t.Fatalf("init: %v\n%s", err, errOut)
	}
	if strings.Contains(testutil.ReadFile(t, filepath.Join(root, "spec2.yml")), "pod-per-service") {
		t.Error("init split a laconic-so stack whose services do not share a port")
	}
}

// TestInitProfileActivatesComposeProfiles: init --profile writes
// COMPOSE_PROFILES into the spec's config, and create then deploys the
// profile's services (without it they are left out, with a note saying
// how to activate them).
func TestInitProfileActivatesComposeProfiles(t *testing.T) {
	root := t.TempDir()
	testutil.WriteFile(t, root, "shop/compose.yaml", "services:\n  web:\n    image: nginx\n  worker:\n    image: w\n    profiles: [workers]\n")
	if _, errOut, err := run(t, root, "init", "--stack", "shop", "--output", "spec.yml", "--profile", "workers"); err != nil {
		t.Fatalf("init: %v\n%s", err, errOut)
	}
	s, err := spec.Load(filepath.Join(root, "spec.yml"))
	if err != nil || s.Config["COMPOSE_PROFILES"] != "workers" {
		t.Fatalf("init --profile wrote config %v (%v), want COMPOSE_PROFILES: workers", s.Config, err)
	}
	_, errOut, err := run(t, root, "create", "--spec-file", "spec.yml", "-d", "dep")
	if err != nil || strings.Contains(errOut, "service worker is in profile") {
		t.Fatalf("create: %v\n%s", err, errOut)
	}
	d, err := deployment.Load(context.Background(), filepath.Join(root, "dep"))
	if err != nil {
		t.Fatal(err)
	}
	var services []string
	for _, pod := range d.Pods {
		services = append(services, pod.File.ServiceNames()...)
	}
	if got := strings.Join(services, ","); got != "web,worker" {
		t.Errorf("the deployment's services are %s, want web,worker", got)
	}
}

// TestInitWithSeveralComposeFiles: init --stack a --stack b writes the
// project directory as stack: and the files as COMPOSE_FILE, which create
// reads as docker compose -f a -f b; a file outside the first one's
// directory is refused.
func TestInitWithSeveralComposeFiles(t *testing.T) {
	root := t.TempDir()
	testutil.WriteFile(t, root, "shop/compose.yaml", "services:\n  web:\n    image: nginx:dev\n")
	testutil.WriteFile(t, root, "shop/compose.prod.yaml", "services:\n  web:\n    image: nginx:1.27\n  worker:\n    image: w\n")
	testutil.WriteFile(t, root, "elsewhere.yaml", "services:\n  x:\n    image: x\n")
	if _, errOut, err := run(t, root, "init", "--stack", "shop/compose.yaml", "--stack", "shop/compose.prod.yaml", "--output", "spec.yml"); err != nil {
		t.Fatalf("init: %v\n%s", err, errOut)
	}
	s, err := spec.Load(filepath.Join(root, "spec.yml"))
	if err != nil || s.Config["COMPOSE_FILE"] != "compose.yaml:compose.prod.yaml" || s.Stack != "shop" {
		t.Fatalf("init wrote stack %q, config %v (%v); want shop and COMPOSE_FILE: compose.yaml:compose.prod.yaml", s.Stack, s.Config, err)
	}
	if _, errOut, err := run(t, root, "create", "--spec-file", "spec.yml", "-d", "dep"); err != nil {
		t.Fatalf("create: %v\n%s", err, errOut)
	}
	d, err := deployment.Load(context.Background(), filepath.Join(root, "dep"))
	if err != nil {
		t.Fatal(err)
	}
	var images []string
	for _, pod := range d.Pods {
		for _, name := range pod.File.ServiceNames() {
			images = append(images, name+"="+pod.File.Project.Services[name].Image)
		}
	}
	if got := strings.Join(images, ","); got != "web=nginx:1.27,worker=w" {
		t.Errorf("the deployment's services are %s, want web=nginx:1.27,worker=w", got)
	}
	_, _, err = run(t, root, "init", "--stack", "shop/compose.yaml", "--stack", "elsewhere.yaml", "--output", "spec2.yml")
	if err == nil || !strings.Contains(err.Error(), "elsewhere.yaml lies outside shop") {
		t.Errorf("init with a file outside the project directory = %v", err)
	}
}

// TestCreateSaysEverythingRenderWill: create prints the warnings render
// and deploy give for the same input (a compose key left out, a service a
// pod restarts), each once, and -o json lists them; render says the same.
func TestCreateSaysEverythingRenderWill(t *testing.T) {
	root := t.TempDir()
	testutil.WriteFile(t, root, "shop/compose.yaml", "services:\n  web:\n    image: nginx\n    sysctls: [net.core.somaxconn=1024]\n  seed:\n    image: app\n    restart: \"no\"\n")
	testutil.WriteFile(t, root, "spec.yml", "stack: shop\ndeploy-to: k8s\n")
	out, errOut, err := run(t, root, "create", "--spec-file", "spec.yml", "-d", "dep", "-o", "json")
	if err != nil {
		t.Fatalf("create: %v\n%s", err, errOut)
	}
	var report struct {
		Dir      string   `json:"dir"`
		Warnings []string `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("create -o json printed %q: %v", out, err)
	}
	wants := []string{`service web: sysctl net.core.somaxconn is not one every kubelet allows`, `service seed: restart: "no" runs it once, but it shares pod shop with services that stay up`}
	all := strings.Join(report.Warnings, "\n")
	for _, want := range wants {
		if strings.Count(errOut, want) != 1 || !strings.Contains(all, want) {
			t.Errorf("create said (stderr):\n%s\nand -o json listed:\n%s\nwant %q once in each", errOut, all, want)
		}
	}
	_, renderErr, err := run(t, root, "render", "-d", "dep", "--stdout")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range wants {
		if strings.Count(renderErr, want) != 1 {
			t.Errorf("render said:\n%s\nwant %q once", renderErr, want)
		}
	}
}

// TestCreateNamesVolumesThatStartEmpty: create notes the volume mounts
// that start empty where docker compose would fill a new volume from the
// image, leaving out those the spec makes ConfigMaps or host paths.
func TestCreateNamesVolumesThatStartEmpty(t *testing.T) {
	root := t.TempDir()
	testutil.WriteFile(t, root, "shop/compose.yaml", "services:\n  app:\n    image: app\n    volumes: [\"shipped:/srv/shipped\", \"conf:/etc/app\", \"kept:/data\"]\nvolumes:\n  shipped:\n  conf:\n  kept:\n")
	testutil.WriteFile(t, root, "spec.yml", "stack: shop\ndeploy-to: k8s\nconfigmaps:\n  conf: ./configmaps/conf\nvolumes:\n  shipped:\n  conf:\n  kept: /srv/kept\n")
	_, errOut, err := run(t, root, "create", "--spec-file", "spec.yml", "-d", "dep")
	if err != nil {
		t.Fatalf("create: %v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "these start empty, where docker compose first fills a new volume with the image's files at its path: volume shipped at app:/srv/shipped;") {
		t.Errorf("create said:\n%s\nwant shipped named alone", errOut)
	}
	_, errOut, _ = run(t, root, "render", "-d", "dep", "--stdout")
	if strings.Contains(errOut, "start empty") {
		t.Errorf("render repeats create's note:\n%s", errOut)
	}
	// With a copy-up image the volumes start as in docker: no note.
	testutil.WriteFile(t, root, "spec.yml", "stack: shop\ndeploy-to: k8s\ncopy-up-image: registry.example/kubectl-stack:v1\nvolumes:\n  shipped:\n  conf:\n  kept:\n")
	if _, errOut, err = run(t, root, "create", "--spec-file", "spec.yml", "-d", "dep2"); err != nil || strings.Contains(errOut, "start empty") {
		t.Errorf("create with copy-up-image: %v\n%s\nwant no note", err, errOut)
	}
}

// TestCopyUpCommand: the hidden copy-up takes IMAGE:PATH=VOLUME (PATH may
// hold ":" and "="), fills an empty volume from the image's PATH and says
// so, and refuses an argument of another shape.
func TestCopyUpCommand(t *testing.T) {
	root := t.TempDir()
	testutil.WriteFile(t, root, "image/etc/odd:name=x/app.conf", "defaults\n")
	volume := filepath.Join(root, "volume")
	if err := os.Mkdir(volume, 0o755); err != nil {
		t.Fatal(err)
	}
	_, errOut, err := run(t, root, "copy-up", filepath.Join(root, "image")+":/etc/odd:name=x="+volume)
	if err != nil || !strings.Contains(errOut, "filled the new volume at "+volume) {
		t.Fatalf("copy-up: %v\n%s", err, errOut)
	}
	if got := testutil.ReadFile(t, filepath.Join(volume, "app.conf")); got != "defaults\n" {
		t.Errorf("the volume's app.conf = %q", got)
	}
	for _, bad := range []string{"no-separators", "/image:/path", "/image:/path=", ":/path=/v"} {
		if _, _, err := run(t, root, "copy-up", bad); err == nil || !strings.Contains(err.Error(), "is not IMAGE:PATH=VOLUME") {
			t.Errorf("copy-up %s = %v; want a refusal naming the shape", bad, err)
		}
	}
}
