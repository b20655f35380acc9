package cmd

import (
	"errors"
	"fmt"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/hooks"
	"github.com/kubectl-stack/kubectl-stack/pkg/lifecycle"
	"github.com/kubectl-stack/kubectl-stack/pkg/podio"
)

// hint completes a library error with the command line that fixes it:
// the libraries say what is wrong; only pkg/cmd knows the flags and verbs.
func hint(err error) error {
	var (
		notRunning *lifecycle.KindNotRunningError
		other      *lifecycle.OtherClusterError
		notPushed  *lifecycle.NotPushedError
		build      *lifecycle.BuildError
		missing    *lifecycle.StackSourceMissingError
		stopped    *lifecycle.StopInterruptedError
		halted     *lifecycle.InterruptedError
		hook       *hooks.Error
		noDir      *deployment.NoDeploymentHereError
		exists     *deployment.ExistsError
		notDep     *deployment.NotDeploymentError
		foreign    *apply.ForeignObjectsError
		pending    *deployment.InterruptedUpdateError
		locked     *apply.LockedError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &notRunning):
		return fmt.Errorf("%w: deploy without --skip-cluster-management, or run kubectl stack kind create -d %s, to create it", err, notRunning.Dir)
	case errors.As(err, &other):
		return fmt.Errorf("%w (kubectl stack kind delete -d <its deployment>)", err)
	case errors.As(err, &notPushed):
		return fmt.Errorf("%w; run kubectl stack build -d %s --push first", err, notPushed.Dir)
	case errors.As(err, &build):
		return fmt.Errorf("%w; fix the build, then run kubectl stack build -d %s %s", err, build.Dir, build.Service)
	case errors.As(err, &missing) && missing.Asked:
		return fmt.Errorf("%w: pass --stack-path with the checkout's path", err)
	case errors.As(err, &missing):
		return fmt.Errorf("%w, or pass --stack-path with its new location", err)
	case errors.As(err, &hook):
		// The verb exits with the hook's exit code.
		return &ExitError{Code: hook.Code, Err: err}
	case errors.As(err, &halted):
		return fmt.Errorf("%w; run kubectl stack deploy -d %s to continue (it converges)", err, halted.Dir)
	case errors.As(err, &stopped):
		return fmt.Errorf("%w; run kubectl stack stop -d %s again (with the same flags) to finish", err, stopped.Dir)
	case errors.As(err, &noDir):
		return fmt.Errorf("%w: pass -d/--deployment-dir, or run from a deployment directory", err)
	case errors.As(err, &exists):
		return fmt.Errorf("%w: pass --update to re-sync it from the spec and the stack, or choose another --deployment-dir", err)
	case errors.As(err, &locked):
		return fmt.Errorf("%w; wait for it to finish, or, if that command is gone, rerun with --break-lock", err)
	case errors.As(err, &pending):
		return fmt.Errorf("%w; run kubectl stack create --update -d %s (with its --spec-file) to finish it", err, pending.Dir)
	case errors.As(err, &foreign):
		return fmt.Errorf("%w; or, if they are meant to become this deployment's, deploy with --adopt", err)
	case errors.As(err, &notDep):
		return fmt.Errorf("%w: run create without --update first", err)
	}
	return err
}

// interruptHint says what resumes a deploy of dir cut short by Ctrl-C.
func interruptHint(err error, dir string) error {
	var interrupted *apply.InterruptedError
	if !errors.As(err, &interrupted) {
		return err
	}
	next := "kubectl stack deploy -d " + dir + " (it converges: what is applied stays, the rest is applied)"
	if interrupted.Applied {
		next = "kubectl stack status -d " + dir + " to see readiness, or kubectl stack deploy -d " + dir + " to wait again"
	}
	return fmt.Errorf("%w; run %s", err, next)
}

// refusalHint adds a verb's way past a refused kind cluster delete.
func refusalHint(err error, fix string) error {
	var refused *lifecycle.DeleteRefusedError
	if errors.As(err, &refused) {
		return fmt.Errorf("%w\n%s", err, fix)
	}
	return err
}

// podHint names the deployment and, when nothing runs, the verb that
// deploys it.
func podHint(err error, dir string) error {
	var notDeployed *podio.NotDeployedError
	if errors.As(err, &notDeployed) {
		return fmt.Errorf("%w (kubectl stack deploy -d %s)", err, dir)
	}
	return fmt.Errorf("%s: %w", dir, err)
}
