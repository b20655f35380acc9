//go:build !windows

package apply

import (
	"errors"
	"syscall"
)

// processGone reports whether no process of that pid runs on this host.
func processGone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
