// Command release builds kubectl-stack's release archives and its krew
// manifest, offline and reproducibly (the same commit gives the same
// bytes):
//
//	go run ./hack/release dist [-version V] [-out dist] [-platforms linux/amd64,...]
//	go run ./hack/release krew-manifest [-dist dist] [-out plugins/compose-stack.yaml]
//
// dist cross-builds the plugin (CGO_ENABLED=0, -trimpath, stripped; the
// version, commit and commit date stamped), packs each platform's binary with the completion helpers, LICENSE
// and README.md into a tar.gz (zip on Windows) whose entries are sorted and
// dated at the commit, and writes checksums.txt. krew-manifest renders
// .krew.yaml, the krew-release-bot template, with the URIs and the sha256
// of those archives. Run by make dist and make krew-manifest.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: release dist|krew-manifest [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "dist":
		err = runDist(os.Args[2:])
	case "krew-manifest":
		err = runManifest(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q: use dist or krew-manifest", os.Args[1])
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "release: %v\n", err)
		os.Exit(1)
	}
}

// Platforms are the release's targets: what kubectl and krew run on.
var Platforms = []string{"darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64", "windows/amd64", "windows/arm64"}

func runDist(args []string) error {
	fs := flag.NewFlagSet("dist", flag.ExitOnError)
	o := distOptions{}
	fs.StringVar(&o.Version, "version", "", "Version to stamp (default: the tag at HEAD, else v0.0.0-snapshot-<commit>).")
	fs.StringVar(&o.Out, "out", "dist", "Directory for the archives and checksums.txt (replaced).")
	platforms := fs.String("platforms", "", "Comma-separated os/arch list (default: every release platform).")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.Platforms = splitPlatforms(*platforms)
	return dist(o)
}

func runManifest(args []string) error {
	fs := flag.NewFlagSet("krew-manifest", flag.ExitOnError)
	o := manifestOptions{}
	fs.StringVar(&o.Dist, "dist", "dist", "Directory make dist wrote.")
	fs.StringVar(&o.Template, "template", ".krew.yaml", "The krew-release-bot template.")
	fs.StringVar(&o.Out, "out", "plugins/compose-stack.yaml", "The manifest to write.")
	fs.BoolVar(&o.Partial, "partial", false, "Leave out the platforms the dist lacks instead of failing (for a test on one platform).")
	fs.StringVar(&o.BaseURL, "base-url", "https://github.com/kubectl-stack/kubectl-stack/releases/download", "Where the release's archives are published, before /<tag>/<archive>.")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return manifest(o)
}
