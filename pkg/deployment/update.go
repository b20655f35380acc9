package deployment

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// UpdateDir, inside a deployment directory, holds an update being made:
// the new files and, once they are all written, the journal of renames
// that puts them in place. BackupsDir holds one directory per update,
// named by its time, with the files it replaced or removed. Both lie
// outside every directory that is bound into a container or turned into
// a ConfigMap.
const (
	UpdateDir   = ".kubectl-stack-update"
	BackupsDir  = ".kubectl-stack-backups"
	journalFile = "journal"
)

// UpdateResult says what create --update changed. Backups is the
// directory holding the files it replaced or removed ("" when none).
type UpdateResult struct {
	Added, Changed, Removed, KeptEdited []string
	Backups                             string
}

// Update re-syncs an existing deployment directory with the plan:
// deployment.yml and data/ are never touched; a changed file's old content
// is kept under BackupsDir; a file the previous create wrote and the stack
// no longer has is removed, and kept there too when it was edited since.
// Files the user added are left alone.
//
// It is atomic for every reader that loads the directory: the new files
// are written into UpdateDir first, then a journal of renames is committed
// and carried out. A kill before the commit leaves the old state (the next
// update removes the staging); a kill after it leaves a committed journal
// that the next update finishes, and that Load refuses until then.
func Update(p *Plan) (*UpdateResult, error) {
	if _, err := os.Stat(filepath.Join(p.Dir, DeploymentFile)); err != nil {
		return nil, &NotDeploymentError{Dir: p.Dir}
	}
	if err := finishUpdate(p.Dir); err != nil {
		return nil, err
	}
	old, err := readManifest(p.Dir)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", ManifestFile, err)
	}
	u := &updater{dir: p.Dir, staging: filepath.Join(p.Dir, UpdateDir), res: &UpdateResult{},
		backups: filepath.Join(p.Dir, BackupsDir, time.Now().UTC().Format("20060102T150405.000Z"))}
	if err := os.RemoveAll(u.staging); err != nil {
		return nil, err
	}
	if err := u.plan(p, old); err != nil {
		return nil, err
	}
	if err := u.commit(); err != nil {
		return nil, err
	}
	return u.res, finishUpdate(p.Dir)
}

// updater stages one update.
type updater struct {
	dir, staging, backups string
	ops                   []string
	res                   *UpdateResult
}

func (u *updater) plan(p *Plan, old map[string]string) error {
	for _, d := range p.Dirs {
		u.ops = append(u.ops, "mkdir "+d)
	}
	files := p.withManifest()
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if isProtected(name) {
			continue
		}
		if err := u.stage(name, files[name]); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(old)) {
		if _, still := files[name]; still || isProtected(name) {
			continue
		}
		if err := u.drop(name, old[name]); err != nil {
			return err
		}
	}
	return nil
}

// stage writes a file's new content into the staging directory when it
// differs from what is there, keeping the old content as a backup.
func (u *updater) stage(name string, f File) error {
	path := filepath.Join(u.dir, filepath.FromSlash(name))
	current, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		u.res.Added = append(u.res.Added, name)
	case err != nil:
		return err
	case string(current) == string(f.Data):
		if info, err := os.Stat(path); err == nil && info.Mode().Perm() == f.Mode.Perm() {
			return nil
		}
	case name != ManifestFile:
		u.res.Changed = append(u.res.Changed, name)
		if err := u.backup(name, current); err != nil {
			return err
		}
	}
	u.ops = append(u.ops, "put "+name)
	return writeFile(filepath.Join(u.staging, filepath.FromSlash(name)), f)
}

// drop removes a file the stack no longer has, keeping it as a backup when
// it was edited since the previous create wrote it.
func (u *updater) drop(name, sum string) error {
	data, err := os.ReadFile(filepath.Join(u.dir, filepath.FromSlash(name)))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if sha(data) != sum {
		if err := u.backup(name, data); err != nil {
			return err
		}
		u.res.KeptEdited = append(u.res.KeptEdited, name)
	} else {
		u.res.Removed = append(u.res.Removed, name)
	}
	u.ops = append(u.ops, "remove "+name)
	return nil
}

func (u *updater) backup(name string, data []byte) error {
	u.res.Backups = u.backups
	return writeFile(filepath.Join(u.backups, filepath.FromSlash(name)), File{Data: data, Mode: 0o644})
}

// commit writes the journal: from here on the update happens, whatever
// interrupts it.
func (u *updater) commit() error {
	if len(u.ops) == 0 {
		// Nothing to carry out: an empty journal would be a pending
		// update that has no step to finish.
		return os.RemoveAll(u.staging)
	}
	if err := os.MkdirAll(u.staging, 0o755); err != nil {
		return err
	}
	return writeFile(filepath.Join(u.staging, journalFile), File{Data: []byte(strings.Join(u.ops, "\n") + "\n"), Mode: 0o644})
}

// finishUpdate carries out a committed journal (each step is idempotent,
// so a journal cut short by a kill is finished by the next run) and
// removes the staging directory, committed or not.
func finishUpdate(dir string) error {
	staging := filepath.Join(dir, UpdateDir)
	data, err := os.ReadFile(filepath.Join(staging, journalFile))
	if errors.Is(err, os.ErrNotExist) {
		return os.RemoveAll(staging)
	}
	if err != nil {
		return err
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if line == "" {
			continue // an empty journal (written by earlier versions) has nothing to finish
		}
		verb, name, _ := strings.Cut(line, " ")
		if err := journalStep(dir, staging, verb, name); err != nil {
			return fmt.Errorf("finishing the update of %s (%s): %w", dir, line, err)
		}
	}
	return os.RemoveAll(staging)
}

func journalStep(dir, staging, verb, name string) error {
	if name == "" || !filepath.IsLocal(filepath.FromSlash(name)) {
		return fmt.Errorf("journal entry %q is not a path inside the deployment", name)
	}
	target := filepath.Join(dir, filepath.FromSlash(name))
	switch verb {
	case "mkdir":
		return os.MkdirAll(target, 0o755)
	case "put":
		src := filepath.Join(staging, filepath.FromSlash(name))
		if _, err := os.Lstat(src); errors.Is(err, fs.ErrNotExist) {
			return nil // moved before the interruption
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.Rename(src, target)
	case "remove":
		if err := os.Remove(target); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		removeEmptyParents(dir, filepath.Dir(target))
		return nil
	}
	return fmt.Errorf("unknown journal step %q", verb)
}

// InterruptedUpdateError: a create --update was cut short after it
// committed; the directory is mixed until an update finishes it.
type InterruptedUpdateError struct{ Dir string }

func (e *InterruptedUpdateError) Error() string {
	return fmt.Sprintf("%s: an update of this deployment directory was interrupted and is not finished", e.Dir)
}

// checkNoUpdatePending refuses a directory with a committed, unfinished
// update.
func checkNoUpdatePending(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, UpdateDir, journalFile)); err == nil {
		return &InterruptedUpdateError{Dir: dir}
	}
	return nil
}
