package cmd

import (
	"errors"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-stack/kubectl-stack/pkg/log"
)

// GlobalOptions are the flags every command shares.
type GlobalOptions struct {
	genericiooptions.IOStreams
	ConfigFlags *genericclioptions.ConfigFlags
	Verbosity   int
	// Quiet keeps only warnings and errors on stderr.
	Quiet bool
	// AllowHooks runs the stack's hooks without their digests in spec.yml
	// (create, restart and deploy only).
	AllowHooks bool

	logger *log.Logger
}

// Logger returns the progress logger on stderr.
func (g *GlobalOptions) Logger() *log.Logger {
	if g.logger == nil {
		g.logger = log.New(g.ErrOut, g.Verbosity)
	}
	return g.logger
}

// NewCmdStack builds the root command, "kubectl stack".
func NewCmdStack(streams genericiooptions.IOStreams) *cobra.Command {
	g := &GlobalOptions{IOStreams: streams, ConfigFlags: genericclioptions.NewConfigFlags(true)}
	root := groupCommand(&cobra.Command{
		Use:   "kubectl-stack",
		Short: "Deploy multi-service compose stacks to Kubernetes and kind",
		Long: `kubectl stack turns a stack (docker-compose files plus a git-tracked spec.yml)
into deployment directories and Kubernetes objects, on kind or any cluster.

Start with:
  kubectl stack init --stack ./my-stack --output spec.yml
  kubectl stack create --spec-file spec.yml --deployment-dir ./my-deployment`,
		Annotations:   map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl stack"},
		SilenceUsage:  true,
		SilenceErrors: true,
	})
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	g.ConfigFlags.AddFlags(root.PersistentFlags())
	root.PersistentFlags().IntVarP(&g.Verbosity, "verbosity", "v", 0, "Log verbosity on stderr: 0 status, 1 debug, 2 detail, 3+ trace; 6 and up add client-go's request log (7 headers, 8 bodies), with Secret data and tokens redacted.")
	root.PersistentFlags().BoolVarP(&g.Quiet, "quiet", "q", false, "Print only warnings and errors on stderr (data on stdout is unchanged).")
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		if g.Quiet {
			if c.Flags().Changed("verbosity") {
				return errors.New("-q and -v contradict each other; pass one of them")
			}
			g.Verbosity = -1
		}
		log.RouteKlog(g.ErrOut, g.Verbosity)
		return rejectNamespaceFlag(c)
	}
	root.AddCommand(newCmdVersion(g), newCmdInit(g), newCmdCreate(g), newCmdRender(g), newCmdDeploy(g), newCmdStop(g), newCmdDiff(g), newCmdStatus(g), newCmdKind(g), newCmdPs(g), newCmdRestart(g), newCmdLogs(g), newCmdExec(g), newCmdBuild(g), newCmdPort(g), newCmdList(g), newCmdEvents(g), newCmdCopyUp(g))
	registerCompletions(root, g)
	return root
}

// options is the Options / Complete / Validate / Run shape of every command.
type options interface {
	// Complete turns flags and positional arguments into the verb's
	// inputs; it is the only step that reads the outside world.
	Complete(c *cobra.Command, args []string) error
	Validate() error
	Run(c *cobra.Command) error
}

// runE runs a command's options in order: Complete (the only step that
// reads the outside world), Validate (pure), Run.
func runE(o options) func(*cobra.Command, []string) error {
	return func(c *cobra.Command, args []string) error {
		if err := o.Complete(c, args); err != nil {
			return hint(err)
		}
		if err := o.Validate(); err != nil {
			return err
		}
		return hint(o.Run(c))
	}
}
