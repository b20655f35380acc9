package podio

import "os"

// notifyResize does nothing on Windows, which has no resize signal: the
// remote terminal keeps the size it had when exec started.
func notifyResize(chan os.Signal) {}
