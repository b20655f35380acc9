package deployment

import (
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kubectl-stack/kubectl-stack/pkg/bindsrc"
	"github.com/kubectl-stack/kubectl-stack/pkg/hooks"
	"github.com/kubectl-stack/kubectl-stack/pkg/kindcluster"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
	"github.com/kubectl-stack/kubectl-stack/pkg/stack"
	"github.com/kubectl-stack/kubectl-stack/pkg/yamlstrict"
)

func (b *builder) addFiles(specData []byte) {
	p := b.plan
	p.Files[SpecFile] = File{Data: specData, Mode: 0o644}
	b.addStackFile()
	p.Files[ConfigEnvFile] = File{Data: configEnv(p.Spec.Config), Mode: 0o644}
	for _, lp := range b.composes {
		dir := ComposeDir
		if lp.isJob {
			dir = JobsDir
		}
		b.copyFile(lp.pod.ComposeFile, path.Join(dir, "docker-compose-"+lp.pod.Name+".yml"), lp.pod.Root)
		b.addReferencedFiles(lp, dir)
		if cfg := filepath.Join(p.Stack.ConfigRoot, lp.pod.Name); isDir(cfg) {
			b.copyTree(cfg, path.Join("config", lp.pod.Name), filepath.Dir(p.Stack.ConfigRoot))
		}
	}
	b.addConfigMapDirs()
	b.addDataDirs()
	b.addHostPathsFile()
	b.addBuildsFile()
	b.addCACertificates()
	b.addHooks()
	if p.Spec.DeployTo == spec.DeployToKind {
		b.addKindConfig()
	}
}

func (b *builder) addStackFile() {
	st := b.plan.Stack
	if st.DefinitionFile != "" {
		b.copyFile(st.DefinitionFile, StackFile, st.Dir)
		return
	}
	// A plain compose stack has no stack.yml; write one so that the
	// directory has laconic-so's layout.
	data, err := yamlstrict.Encode(stack.Definition{Name: st.Name, Pods: st.Definition.Pods})
	if err != nil {
		b.fail("writing stack.yml: %v", err)
		return
	}
	b.plan.Files[StackFile] = File{Data: data, Mode: 0o644}
}

// addReferencedFiles copies what a compose file refers to by relative path
// (bind sources, env_files, extends files) to the same place relative to
// the copy in D, so the copy resolves them as the original did. A reference
// into ../config/<dir>/ copies the whole config/<dir>, as laconic-so does.
func (b *builder) addReferencedFiles(lp loadedPod, composeDir string) {
	srcDir := filepath.Dir(lp.pod.ComposeFile)
	var refs []string
	for _, bind := range lp.file.HostBinds(spec.ExpandHome) {
		if InStack(bind, lp.pod.Root) {
			refs = append(refs, bind.Source)
		}
	}
	for _, abs := range append(lp.file.EnvFiles(), lp.file.OtherFiles()...) {
		if !bindsrc.Inside(abs, lp.pod.Root) {
			b.fail("%s: pod %s reads %s, which lies outside the stack (%s) once its links are followed; files outside the stack are never read: copy it into the stack", lp.pod.ComposeFile, lp.pod.Name, abs, lp.pod.Root)
			continue
		}
		if rel, err := filepath.Rel(srcDir, abs); err == nil {
			refs = append(refs, rel)
		}
	}
	for _, ref := range refs {
		dest := path.Clean(path.Join(composeDir, filepath.ToSlash(ref)))
		if !inside(dest) {
			b.fail("%s: pod %s refers to %q, which would lie outside the deployment directory once copied; keep referenced files beside the compose file or under config/", lp.pod.ComposeFile, lp.pod.Name, ref)
			continue
		}
		if own, ok := HoldsOwnFiles(dest); ok {
			b.fail("%s: pod %s refers to %q, which would be %s in the deployment directory, where kubectl-stack keeps %s; a bind of it would ship them into the cluster: bind a directory of the stack's content instead", lp.pod.ComposeFile, lp.pod.Name, ref, dest, own)
			continue
		}
		src := filepath.Join(srcDir, ref)
		if parts := strings.Split(dest, "/"); len(parts) > 2 && parts[0] == "config" {
			// compose/ and compose-jobs/ are one level deep, so config/<dir>
			// in D mirrors ../config/<dir> beside the source compose file.
			src, dest = filepath.Join(srcDir, "..", "config", parts[1]), path.Join("config", parts[1])
		}
		if isDir(src) {
			b.copyTree(src, dest, lp.pod.Root)
		} else {
			b.copyFile(src, dest, lp.pod.Root)
		}
	}
}

// addConfigMapDirs fills configmaps/<name>/ for each spec configmap. A value
// starting with "./" names the directory inside D, filled from the stack's
// config/<name> when that exists; any other value is a source directory
// (relative to the spec file) copied into configmaps/<name>/.
func (b *builder) addConfigMapDirs() {
	s := b.plan.Spec
	for _, name := range slices.Sorted(maps.Keys(s.ConfigMaps)) {
		value := s.ConfigMaps[name]
		if value == "" || strings.HasPrefix(value, "./") {
			dest := path.Join("configmaps", name)
			if value != "" {
				dest = path.Clean(value)
			}
			if !inside(dest) {
				b.fail("%s: configmaps.%s: %q lies outside the deployment directory", b.specPath, name, value)
				continue
			}
			b.plan.Dirs = append(b.plan.Dirs, dest)
			if src := filepath.Join(b.plan.Stack.ConfigRoot, name); isDir(src) {
				b.copyTree(src, dest, filepath.Dir(b.plan.Stack.ConfigRoot))
			}
			continue
		}
		src := spec.ResolvePath(filepath.Dir(b.specPath), value)
		if !isDir(src) {
			b.fail("%s: configmaps.%s: source directory %s does not exist; create it or use ./configmaps/%s", b.specPath, name, src, name)
			continue
		}
		b.plan.Dirs = append(b.plan.Dirs, path.Join("configmaps", name))
		b.copyTree(src, path.Join("configmaps", name), src)
	}
}

// addDataDirs creates the directories of relative volume paths (./data/x),
// which live in D and are never touched again by create --update.
func (b *builder) addDataDirs() {
	for _, name := range slices.Sorted(maps.Keys(b.plan.Spec.Volumes)) {
		v := b.plan.Spec.Volumes[name]
		if v == "" || filepath.IsAbs(spec.ExpandHome(v)) {
			continue
		}
		if rel := path.Clean(filepath.ToSlash(v)); inside(rel) {
			b.plan.Dirs = append(b.plan.Dirs, rel)
		}
	}
}

func (b *builder) addKindConfig() {
	in := b.kindInput()
	if b.plan.Spec.Security.UnlimitedMemlock {
		in.MemlockSpec = filepath.Join(b.plan.Dir, MemlockSpecFile)
		b.plan.Files[MemlockSpecFile] = File{Data: kindcluster.MemlockSpec(), Mode: 0o644}
	}
	data, err := kindcluster.Marshal(kindcluster.Config(in))
	if err != nil {
		b.fail("writing kind config: %v", err)
		return
	}
	b.plan.Files[KindConfigFile] = File{Data: data, Mode: 0o644}
}

func (b *builder) kindInput() kindcluster.ConfigInput {
	s := b.plan.Spec
	in := kindcluster.ConfigInput{DeploymentID: b.id, NodeImage: s.KindNodeImage}
	if s.KindMountRoot != "" {
		in.MountRoot = spec.ResolvePath(b.plan.Dir, s.KindMountRoot)
	}
	used := map[string]bool{}
	for _, lp := range b.composes {
		for _, v := range lp.file.NamedVolumes() {
			used[v.Name] = true
		}
		for _, svc := range lp.file.HostNetworkServices() {
			for _, p := range lp.file.Project.Services[svc].Ports {
				proto := strings.ToUpper(p.Protocol)
				if proto == "" {
					proto = "TCP"
				}
				in.HostPorts = append(in.HostPorts, kindcluster.HostPort{Port: int32(p.Target), Protocol: proto})
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.Volumes)) {
		if _, isConfigMap := s.ConfigMaps[name]; s.Volumes[name] == "" || !used[name] || isConfigMap {
			continue
		}
		in.Volumes = append(in.Volumes, kindcluster.HostVolume{Name: name, HostPath: spec.ResolvePath(b.plan.Dir, s.Volumes[name])})
	}
	in.Volumes = append(in.Volumes, HostBindVolumes(b.plan.HostPaths)...)
	return in
}

// copyFile copies a regular file that must lie inside root (links
// followed only while they stay there), reading at most
// bindsrc.ReadLimit bytes.
func (b *builder) copyFile(src, dest, root string) {
	data, err := bindsrc.ReadFile(src, root, bindsrc.ReadLimit)
	if err != nil {
		b.fail("copying %s: %v", src, err)
		return
	}
	info, err := os.Stat(src)
	if err != nil {
		b.fail("copying %s: %v", src, err)
		return
	}
	b.plan.Files[dest] = File{Data: data, Mode: info.Mode().Perm()}
}

// copyTree copies the regular files under src (links followed only while
// they stay inside root; special files and links out of root are errors,
// never opened). The directory itself is made even when it holds no file:
// a bind of an empty directory ("./config:/config") renders as an empty
// ConfigMap, which needs its source in D.
func (b *builder) copyTree(src, dest, root string) {
	tree, err := bindsrc.Scan(src, root)
	if err != nil {
		b.fail("copying %s: %v", src, err)
		return
	}
	if tree.IsDir && len(tree.Files) == 0 {
		b.plan.Dirs = append(b.plan.Dirs, dest)
	}
	for _, f := range tree.Files {
		b.copyFile(f.Path, path.Join(dest, f.Rel), root)
	}
}

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}

// configEnv writes the spec's config as config.env (laconic-so's file),
// leaving out $generate:...$ values, which become a Secret at deploy time.
func configEnv(cfg spec.Config) []byte {
	var sb strings.Builder
	sb.WriteString("# Written by kubectl-stack from the config section of spec.yml.\n")
	sb.WriteString("# Do not edit: change spec.yml and run kubectl stack create --update (or restart).\n")
	for _, k := range slices.Sorted(maps.Keys(cfg)) {
		if strings.HasPrefix(cfg[k], "$generate:") {
			continue
		}
		fmt.Fprintf(&sb, "%s=%s\n", k, cfg[k])
	}
	return []byte(sb.String())
}

// addHooks copies the stack's executable hooks (deploy/hooks/<event>) into
// D/hooks, where verbs run them once allowed, and reports laconic-so
// Python hooks, which are not run, naming each and what laconic-so did
// with it. A hooks directory or hook that is a link, a special file or a
// file larger than hooks.MaxSize is refused: a hook is code the operator
// is asked to allow, so it must be exactly the file the stack ships.
func (b *builder) addHooks() {
	files, err := hooks.StackHooks(b.plan.Stack.Dir)
	if err != nil {
		b.fail("%v", err)
	}
	for _, h := range files {
		b.plan.Files[path.Join(hooks.DeploymentDir, h.Name)] = File{Data: h.Data, Mode: h.Mode}
	}
	for _, h := range hooks.PythonHooks(b.plan.Stack.Dir) {
		b.warn("%s: deploy/commands.py: %s; Python hooks are not run: write it as an executable %s/%s (see docs/user-guide.md, Stack hooks)", b.plan.Stack.Dir, h, hooks.StackDir, strings.SplitN(h, "(", 2)[0])
	}
}
