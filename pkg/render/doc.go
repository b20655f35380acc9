// Package render turns a deployment directory into Kubernetes objects laid
// out as a kustomize tree (a base per stack, an overlay per deployment-id),
// and builds that tree in process with kustomize's krusty, so that what
// "kubectl stack deploy" applies and what a GitOps tool applies from the
// tree are the same objects. It is the only user of sigs.k8s.io/kustomize.
package render
