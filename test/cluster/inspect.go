package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// PodTemplates are the Deployments of namespace ns, each with a hash of its
// pod template, sorted: what a change of a stack's content shows in, for
// tests that compare the cluster before and after.
func (c *Cluster) PodTemplates(t testing.TB, ns string) []string {
	t.Helper()
	deps, err := c.Client.AppsV1().Deployments(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range deps.Items {
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
	deps, err := c.Client.AppsV1().Deployments(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range deps.Items {
		out = append(out, d.Name)
	}
	slices.Sort(out)
	return out
}
