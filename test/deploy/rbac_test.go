package deploy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// serviceAccountKubeconfig makes a ServiceAccount in ns and returns a
// kubeconfig that authenticates as it.
func serviceAccountKubeconfig(t *testing.T, ns, name string) string {
	t.Helper()
	c := cluster.Shared(t).Client
	ctx := context.Background()
	if _, err := c.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	tok, err := c.CoreV1().ServiceAccounts(ns).CreateToken(ctx, name, &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := clientcmd.LoadFromFile(cluster.Shared(t).Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg := clientcmdapi.NewConfig()
	for name, cl := range admin.Clusters {
		cfg.Clusters[name] = cl
		cfg.AuthInfos["sa"] = &clientcmdapi.AuthInfo{Token: tok.Status.Token}
		cfg.Contexts["sa"] = &clientcmdapi.Context{Cluster: name, AuthInfo: "sa"}
		cfg.CurrentContext = "sa"
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func bind(t *testing.T, ns, name, roleKind, role, sa string) {
	t.Helper()
	c := cluster.Shared(t).Client
	subject := []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa, Namespace: ns}}
	ref := rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: roleKind, Name: role}
	var err error
	if ns == "" || roleKind == "ClusterRole" && strings.HasPrefix(name, "cluster-") {
		_, err = c.RbacV1().ClusterRoleBindings().Create(context.Background(), &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, Subjects: subject, RoleRef: ref}, metav1.CreateOptions{})
	} else {
		_, err = c.RbacV1().RoleBindings(ns).Create(context.Background(), &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, Subjects: subject, RoleRef: ref}, metav1.CreateOptions{})
	}
	if err != nil {
		t.Fatal(err)
	}
}

// createWithoutHostPath creates a deployment of the example stack without
// its host-path volume: a PersistentVolume is cluster-scoped, and these
// deployments are for namespace-scoped rights.
func createWithoutHostPath(t *testing.T) (dir, ns string) {
	t.Helper()
	root, specPath, ns := stack(t)
	spec := strings.Replace(testutil.ReadFile(t, specPath), "counter-data: /var/lib/kubectl-stack-test/"+ns, "counter-data:", 1)
	testutil.WriteFile(t, root, "ops/spec.yml", spec)
	return create(t, specPath), ns
}

// deployAs runs deploy as the ServiceAccount of kubeconfig.
func deployAs(t *testing.T, kubeconfig, dir string) (string, error) {
	t.Helper()
	cmd := testutil.PluginCommand(t, "--kubeconfig", kubeconfig, "deploy", "-d", dir, "--wait=false")
	cmd.Env = append(os.Environ(), "DEMO_REGISTRY_TOKEN="+token)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestLeastPrivilege: a ServiceAccount with the built-in namespace-scoped
// edit role deploys into a namespace its directory already owns; one with docs/rbac.yaml's deployer role deploys
// with the lock; without cluster-scoped rights, creating a namespace is
// refused naming the missing right; bound cluster-wide with
// docs/rbac.yaml's cluster role, it deploys a new namespace with a
// host-path PV.
func TestLeastPrivilege(t *testing.T) {
	dir, ns := createWithoutHostPath(t)
	// The admin creates and claims the namespace once.
	deploy(t, dir, "--secrets-only")
	mustKubectl(t, "apply", "-f", "../../docs/rbac.yaml")

	edit := serviceAccountKubeconfig(t, ns, "editor")
	bind(t, ns, "editor", "ClusterRole", "edit", "editor")
	out, err := deployAs(t, edit, dir)
	if err != nil {
		t.Fatalf("deploy with namespace-scoped edit: %v\n%s", err, out)
	}

	deployer := serviceAccountKubeconfig(t, ns, "deployer")
	bind(t, ns, "deployer", "ClusterRole", "kubectl-stack-deployer", "deployer")
	if out, err := deployAs(t, deployer, dir); err != nil || strings.Contains(out, "no lock taken") {
		t.Errorf("deploy with docs/rbac.yaml's deployer role = %v, want success with the lock:\n%s", err, out)
	}

	// A deployment with a host-path volume in a namespace that does not
	// exist yet: both need cluster-scoped rights.
	_, otherSpec, _ := stack(t)
	other := create(t, otherSpec)
	out, err = deployAs(t, deployer, other)
	if err == nil || !strings.Contains(out, "needs rights these credentials lack") || !strings.Contains(out, `"namespaces"`) || !strings.Contains(out, "docs/rbac.yaml") {
		t.Errorf("deploy into a new namespace without cluster rights = %v, want a refusal naming the right:\n%s", err, out)
	}
	// Cluster-wide: the deployer rights in the namespaces it creates, and
	// the cluster-scoped ones.
	bind(t, ns, "cluster-deployer-"+ns, "ClusterRole", "kubectl-stack-deployer", "deployer")
	bind(t, ns, "cluster-deployer-cluster-"+ns, "ClusterRole", "kubectl-stack-cluster", "deployer")
	if out, err := deployAs(t, deployer, other); err != nil {
		t.Errorf("deploy with docs/rbac.yaml's roles bound cluster-wide: %v\n%s", err, out)
	}
}

// TestEveryVerbWithNamespaceScopedRights: with the built-in namespace-scoped
// edit role, every verb that works on one deployment works (status asks for
// nodes only when a port is published, and does without an address when
// nodes are forbidden); list, which reads every namespace, says which
// right it lacks.
func TestEveryVerbWithNamespaceScopedRights(t *testing.T) {
	dir, ns := createWithoutHostPath(t)
	deploy(t, dir, "--wait=false")
	edit := serviceAccountKubeconfig(t, ns, "editor")
	bind(t, ns, "editor", "ClusterRole", "edit", "editor")
	for _, args := range [][]string{
		{"status", "-d", dir},
		{"status", "-d", dir, "-o", "json"},
		{"ps", "-d", dir},
		{"events", "-d", dir},
		{"diff", "-d", dir},
		{"deploy", "-d", dir, "--wait=false"},
		{"stop", "-d", dir},
	} {
		out, err := runAs(t, edit, args...)
		// diff exits 1 when it finds differences; it found none here.
		if err != nil || strings.Contains(strings.ToLower(out), "forbidden") {
			t.Errorf("%s with namespace-scoped rights: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	out, err := runAs(t, edit, "list")
	if err == nil || !strings.Contains(out, "at the cluster scope") {
		t.Errorf("list with namespace-scoped rights = %v, want it to name the right it lacks:\n%s", err, out)
	}
}

// runAs runs a verb as the ServiceAccount of kubeconfig.
func runAs(t *testing.T, kubeconfig string, args ...string) (string, error) {
	t.Helper()
	cmd := testutil.PluginCommand(t, append([]string{"--kubeconfig", kubeconfig}, args...)...)
	cmd.Env = append(os.Environ(), "DEMO_REGISTRY_TOKEN="+token)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
