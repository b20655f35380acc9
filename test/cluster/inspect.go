package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// PodTemplates are the Deployments of namespace ns, each with a hash of its
// pod template, sorted: what a change of a stack's content shows in, for
// tests that compare the cluster before and after.
func (c *Cluster) PodTemplates(t testing.TB, ns string) []string {
	t.Helper()
	var out []string
	for _, d := range c.deployments(t, ns) {
		data, err := json.Marshal(d.Spec.Template)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("Deployment/%s=%x", d.Name, sha256.Sum256(data)))
	}
	slices.Sort(out)
	return out
}

// DeploymentNames are the names of the Deployments of namespace ns, sorted.
func (c *Cluster) DeploymentNames(t testing.TB, ns string) []string {
	t.Helper()
	var out []string
	for _, d := range c.deployments(t, ns) {
		out = append(out, d.Name)
	}
	slices.Sort(out)
	return out
}

func (c *Cluster) deployments(t testing.TB, ns string) []appsv1.Deployment {
	t.Helper()
	deps, err := c.Client.AppsV1().Deployments(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return deps.Items
}
