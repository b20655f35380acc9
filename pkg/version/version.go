// Package version holds the build's version. Release builds stamp it with
// -ldflags "-X github.com/kubectl-stack/kubectl-stack/pkg/version.Version=...";
// the commit and its date come from the Go toolchain's VCS stamp.
package version

import "runtime/debug"

// Version is the release version; "dev" in unstamped builds.
var Version = "dev"

// Get returns the version: the stamped one, else the module version of a
// "go install ...@vX.Y.Z" build, else "dev".
func Get() string {
	if Version != "dev" {
		return Version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return Version
}

// Commit returns the VCS revision recorded by the Go toolchain, if any.
func Commit() string { return setting("vcs.revision") }

// Date returns the commit's time recorded by the Go toolchain (RFC 3339),
// if any: a release's date, reproducible, unlike the time of the build.
func Date() string { return setting("vcs.time") }

func setting(key string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, s := range info.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}
