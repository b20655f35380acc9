// Package version holds the build's version. Release builds (hack/release)
// stamp the version, commit and commit date with -ldflags "-X
// github.com/kubectl-stack/kubectl-stack/pkg/version.Version=..." (and
// .commit, .date); other builds report the Go toolchain's VCS stamp.
package version

import "runtime/debug"

// Version is the release version; "dev" in unstamped builds.
var Version = "dev"

// commit and date are stamped by release builds, which turn the
// toolchain's VCS stamp off: it would record files the build itself
// leaves in the checkout as changes, and differ between two runs.
var commit, date string

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
func Commit() string {
	if commit != "" {
		return commit
	}
	return setting("vcs.revision")
}

// Date returns the commit's time recorded by the Go toolchain (RFC 3339),
// if any: a release's date, reproducible, unlike the time of the build.
func Date() string {
	if date != "" {
		return date
	}
	return setting("vcs.time")
}

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
