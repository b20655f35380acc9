//go:build !windows

package podio

import (
	"os"
	"os/signal"
	"syscall"
)

// notifyResize delivers a signal on ch whenever the terminal is resized.
func notifyResize(ch chan os.Signal) { signal.Notify(ch, syscall.SIGWINCH) }
