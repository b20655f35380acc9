// Package cluster runs a real local Kubernetes control plane for tests and
// the demo: etcd and kube-apiserver (through controller-runtime's envtest),
// kube-controller-manager, kube-scheduler and kwok, all built from module
// sources by hack/testbin.sh, with kwok-simulated nodes.
//
// Nodes are simulated: pods are scheduled, get IPs and become Running, but
// no container runs, so there are no logs and no exec. Use kind for those.
package cluster
