package deployment

import "fmt"

// The errors below are completed by the CLI with the flags that fix them.

// NoDeploymentHereError: no deployment directory was named and the
// current directory is not one.
type NoDeploymentHereError struct{ Dir string }

func (e *NoDeploymentHereError) Error() string {
	return fmt.Sprintf("%s holds no %s, and no deployment directory was named", e.Dir, DeploymentFile)
}

// ExistsError: create would write over an existing directory.
type ExistsError struct{ Dir string }

func (e *ExistsError) Error() string {
	return fmt.Sprintf("%s already exists; create never writes over a directory", e.Dir)
}

// NotDeploymentError: an update of a directory that is no deployment.
type NotDeploymentError struct{ Dir string }

func (e *NotDeploymentError) Error() string {
	return fmt.Sprintf("%s is not an existing deployment directory (it has no %s), so it cannot be re-synced", e.Dir, DeploymentFile)
}
