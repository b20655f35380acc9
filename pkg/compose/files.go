package compose

import (
	"cmp"
	"fmt"
	"path/filepath"
	"strings"
)

// FilesVariable names the compose files of a project run without -f, as
// docker compose reads it from the environment or .env; here from the
// spec's config (which wins, as the shell does) or the project's .env.
// PathSeparatorVariable separates them (default ":").
const (
	FilesVariable         = "COMPOSE_FILE"
	PathSeparatorVariable = "COMPOSE_PATH_SEPARATOR"
)

// ProjectFiles returns the compose files COMPOSE_FILE names for the project
// in dir (absolute, relative ones against dir), and where the value came
// from; none when it is not set. root bounds the read of dir/.env.
func ProjectFiles(dir, root string, env map[string]string) (files []string, from string, err error) {
	vars := env
	from = "config: in spec.yml"
	if _, ok := env[FilesVariable]; !ok {
		dotEnv, found, err := readDotEnv(dir, root, env)
		if err != nil || !found {
			return nil, "", err
		}
		vars, from = dotEnv, filepath.Join(dir, DotEnvFile)
	}
	value := strings.TrimSpace(vars[FilesVariable])
	if value == "" {
		return nil, "", nil
	}
	sep := cmp.Or(env[PathSeparatorVariable], vars[PathSeparatorVariable], string(filepath.ListSeparator))
	for _, p := range strings.Split(value, sep) {
		if p = strings.TrimSpace(p); p != "" {
			files = append(files, resolve(dir, p))
		}
	}
	if len(files) == 0 {
		return nil, "", fmt.Errorf("%s: %s=%q names no file; name the compose files separated by %q", from, FilesVariable, value, sep)
	}
	return files, from + " (" + FilesVariable + ")", nil
}
