package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Options configure a local cluster.
type Options struct {
	// BinDir holds etcd, kube-apiserver, kube-controller-manager,
	// kube-scheduler, kwok and kwok-stages.yaml (hack/testbin.sh --dir).
	BinDir string
	// Nodes is the number of kwok nodes; 0 means 1.
	Nodes int
	// WorkDir receives the kubeconfig and component logs; "" means a new
	// temporary directory, removed at Stop.
	WorkDir string
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Cluster is a running local control plane.
type Cluster struct {
	// Kubeconfig is the path of an admin kubeconfig.
	Kubeconfig string
	// Config is the admin REST config.
	Config *rest.Config
	// Client is an admin clientset.
	Client kubernetes.Interface

	env       *envtest.Environment
	procs     []*exec.Cmd
	pids      []int
	workDir   string
	removeDir bool
	log       io.Writer
}

// Start brings up the control plane and waits until every node is Ready.
// On failure everything started so far is stopped again.
func Start(ctx context.Context, o Options) (c *Cluster, err error) {
	if err := CheckBinaries(o.BinDir); err != nil {
		return nil, err
	}
	c = &Cluster{log: o.Log, workDir: o.WorkDir}
	if c.log == nil {
		c.log = io.Discard
	}
	if c.workDir == "" {
		if c.workDir, err = os.MkdirTemp("", "kubectl-stack-cluster-"); err != nil {
			return nil, err
		}
		c.removeDir = true
	}
	defer func() {
		if err != nil {
			_ = c.Stop()
		}
	}()
	started := time.Now()
	before := childPids(o.BinDir)
	if err := c.startAPIServer(o.BinDir); err != nil {
		return nil, err
	}
	for _, comp := range components(o.BinDir, c.Kubeconfig) {
		if err := c.startProcess(comp); err != nil {
			return nil, err
		}
	}
	c.pids = without(childPids(o.BinDir), before)
	nodes := max(o.Nodes, 1)
	if err := c.registerNodes(ctx, nodes); err != nil {
		return nil, err
	}
	if err := c.defaultStorageClass(ctx); err != nil {
		return nil, err
	}
	fmt.Fprintf(c.log, "local cluster: %d node(s) Ready in %s\n", nodes, time.Since(started).Round(time.Millisecond))
	return c, nil
}

// CheckBinaries reports which of the cluster's binaries are missing.
func CheckBinaries(dir string) error {
	var missing []string
	for _, name := range []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", "kwok-stages.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("local cluster binaries missing in %q: %v; build them with hack/testbin.sh (10-20 minutes once on 2 cores, then cached)", dir, missing)
	}
	return nil
}

// ServiceCIDR is the local cluster's Service IP range: 65534 Services.
const ServiceCIDR = "10.0.0.0/16"

func (c *Cluster) startAPIServer(binDir string) error {
	fmt.Fprintf(c.log, "local cluster: starting etcd and kube-apiserver\n")
	c.env = &envtest.Environment{
		BinaryAssetsDirectory:    binDir,
		ControlPlaneStartTimeout: time.Minute,
		ControlPlaneStopTimeout:  30 * time.Second,
	}
	// envtest's default Service range is a /24: a test package that
	// deploys a few dozen stacks into one cluster runs out of Service IPs
	// ("failed to allocate a serviceIP: range is full").
	c.env.ControlPlane.GetAPIServer().Configure().Set("service-cluster-ip-range", ServiceCIDR)
	cfg, err := c.env.Start()
	if err != nil {
		return fmt.Errorf("starting etcd and kube-apiserver: %w", err)
	}
	admin, err := c.env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return fmt.Errorf("creating the admin user: %w", err)
	}
	kubeconfig, err := admin.KubeConfig()
	if err != nil {
		return err
	}
	c.Kubeconfig = filepath.Join(c.workDir, "kubeconfig")
	if err := os.WriteFile(c.Kubeconfig, kubeconfig, 0o600); err != nil {
		return err
	}
	c.Config = admin.Config()
	c.Client, err = kubernetes.NewForConfig(cfg)
	return err
}

type component struct {
	name string
	args []string
}

// components are the processes that make the API server a cluster. The
// flags are those verified on these machines (local-control-plane.md §2).
func components(binDir, kubeconfig string) []component {
	auth := []string{"--kubeconfig=" + kubeconfig, "--authentication-kubeconfig=" + kubeconfig, "--authorization-kubeconfig=" + kubeconfig, "--leader-elect=false", "--secure-port=0"}
	return []component{
		{filepath.Join(binDir, "kube-controller-manager"), append(auth, "--controllers=*,-serviceaccount-token", "--use-service-account-credentials=false")},
		{filepath.Join(binDir, "kube-scheduler"), auth},
		{filepath.Join(binDir, "kwok"), []string{
			"--kubeconfig=" + kubeconfig, "--config=" + filepath.Join(binDir, "kwok-stages.yaml"),
			"--manage-all-nodes=false", "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
			"--cidr=10.244.0.1/16", "--node-ip=10.244.0.1",
		}},
	}
}

func (c *Cluster) startProcess(comp component) error {
	name := filepath.Base(comp.name)
	logFile, err := os.Create(filepath.Join(c.workDir, name+".log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(comp.name, comp.args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Pdeathsig kills the component if this process dies without running
	// Stop (a test binary killed by a timeout, say).
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("starting %s: %w", name, err)
	}
	fmt.Fprintf(c.log, "local cluster: started %s (pid %d, log %s)\n", name, cmd.Process.Pid, logFile.Name())
	c.procs = append(c.procs, cmd)
	return nil
}

// registerNodes creates kwok nodes and waits until they are Ready.
func (c *Cluster) registerNodes(ctx context.Context, n int) error {
	for i := range n {
		node := &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{
				Name:        fmt.Sprintf("kwok-node-%d", i),
				Annotations: map[string]string{"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
				Labels:      map[string]string{"kubernetes.io/hostname": fmt.Sprintf("kwok-node-%d", i), "kubernetes.io/os": "linux", "kubernetes.io/role": "agent", "type": "kwok"},
			},
			Status: corev1.NodeStatus{
				Capacity:    nodeResources(),
				Allocatable: nodeResources(),
			},
		}
		if _, err := c.Client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("registering node %s: %w", node.Name, err)
		}
	}
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		nodes, err := c.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, nil
		}
		ready := 0
		for _, node := range nodes.Items {
			for _, cond := range node.Status.Conditions {
				if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
					ready++
				}
			}
		}
		return ready >= n, nil
	})
	if err != nil {
		return fmt.Errorf("waiting for %d kwok node(s) to be Ready (see %s/kwok.log): %w", n, c.workDir, err)
	}
	return nil
}

// defaultStorageClass makes claims without a class bind, as on kind: kwok's
// volume stages play the provisioner (no data is stored anywhere).
func (c *Cluster) defaultStorageClass(ctx context.Context) error {
	immediate := storagev1.VolumeBindingImmediate
	sc := &storagev1.StorageClass{
		ObjectMeta:        metav1.ObjectMeta{Name: "kwok-volume", Annotations: map[string]string{"storageclass.kubernetes.io/is-default-class": "true"}},
		Provisioner:       "kwok.x-k8s.io/volume",
		VolumeBindingMode: &immediate,
	}
	if _, err := c.Client.StorageV1().StorageClasses().Create(ctx, sc, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating the default StorageClass: %w", err)
	}
	return nil
}

func nodeResources() corev1.ResourceList {
	return corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("32"),
		corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods:   resource.MustParse("1000"),
	}
}

// Pids returns the process IDs of every component this cluster started,
// etcd and kube-apiserver included.
func (c *Cluster) Pids() []int {
	return c.pids
}

// Stop stops every process the cluster started and removes its temporary
// directories. It is safe to call more than once.
func (c *Cluster) Stop() error {
	var errs []error
	for i := len(c.procs) - 1; i >= 0; i-- {
		errs = append(errs, stopProcess(c.procs[i]))
	}
	c.procs = nil
	if c.env != nil {
		errs = append(errs, c.env.Stop())
		c.env = nil
	}
	if c.removeDir {
		errs = append(errs, os.RemoveAll(c.workDir))
	}
	return errors.Join(errs...)
}

// stopProcess sends SIGTERM, then SIGKILL after 10 s, and reaps the process.
func stopProcess(cmd *exec.Cmd) error {
	if cmd.ProcessState != nil {
		return nil
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
	return nil
}
