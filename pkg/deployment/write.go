package deployment

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// WriteNew writes a fresh deployment directory. Everything goes into a
// temporary sibling directory that is renamed into place at the end, so a
// failed create leaves nothing behind.
func WriteNew(p *Plan, r *Record) (err error) {
	if _, err := os.Lstat(p.Dir); err == nil {
		return &ExistsError{Dir: p.Dir}
	}
	parent := filepath.Dir(p.Dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(p.Dir)+".creating-")
	if err != nil {
		return fmt.Errorf("creating deployment directory: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	record, err := r.encode()
	if err != nil {
		return fmt.Errorf("encoding deployment record: %w", err)
	}
	files := p.withManifest()
	files[DeploymentFile] = File{Data: record, Mode: 0o644}
	if err := writeTree(tmp, files, p.Dirs); err != nil {
		return err
	}
	if err := os.Rename(tmp, p.Dir); err != nil {
		return fmt.Errorf("moving the new deployment into place: %w", err)
	}
	return nil
}

// withManifest returns the plan's files plus the manifest that lists them,
// so a later --update knows which files it may remove.
func (p *Plan) withManifest() map[string]File {
	files := make(map[string]File, len(p.Files)+1)
	var sb strings.Builder
	sb.WriteString("# Files kubectl-stack wrote here (sha256, path); create --update removes\n# those the stack no longer has, unless they were edited.\n")
	for _, name := range slices.Sorted(maps.Keys(p.Files)) {
		files[name] = p.Files[name]
		fmt.Fprintf(&sb, "%s %s\n", sha(p.Files[name].Data), name)
	}
	files[ManifestFile] = File{Data: []byte(sb.String()), Mode: 0o644}
	return files
}

func writeTree(root string, files map[string]File, dirs []string) error {
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(root, filepath.FromSlash(d)), 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", d, err)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := writeFile(filepath.Join(root, filepath.FromSlash(name)), files[name]); err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes through a temporary file and a rename, so a reader never
// sees a half-written file.
func writeFile(path string, f File) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", filepath.Dir(path), err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, f.Data, f.Mode|0o200); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(tmp, f.Mode); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// readManifest returns the files a previous create wrote, with their
// sha256. A laconic-so directory has no manifest: nil, nothing is removed.
func readManifest(dir string) (map[string]string, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		sum, name, ok := strings.Cut(line, " ")
		if ok && !strings.HasPrefix(line, "#") {
			out[name] = sum
		}
	}
	return out, nil
}

// removeEmptyParents removes directories left empty by a removal, up to
// (not including) the deployment directory.
func removeEmptyParents(root, dir string) {
	for dir != root && strings.HasPrefix(dir, root+string(filepath.Separator)) {
		if os.Remove(dir) != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}

// isProtected reports files --update never removes: the deployment record
// and anything under data/.
func isProtected(name string) bool {
	return name == DeploymentFile || name == DataDir || strings.HasPrefix(name, DataDir+"/")
}
