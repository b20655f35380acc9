package apply

import "os"

// processGone reports whether no process of that pid runs on this host:
// on Windows, finding a process opens it, which fails once it is gone.
func processGone(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return true
	}
	_ = p.Release()
	return false
}
