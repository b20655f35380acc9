// Command probe is the conformance suite's container: started in place of
// a compose service's image, it reports, as one JSON line in its log
// ("PROBE-REPORT {...}", repeated as what it sees changes), what the
// container observes of the platform: its argv, environment, identity,
// working directory, names it resolves, ports it reaches, and the files,
// volumes and mounts at the paths it is told. It listens on the ports it
// is told, so that the others can reach it, and answers its own
// healthcheck ("probe health"). It uses the standard library only and is
// built FROM scratch (hack/probe-image.sh): no image is pulled here.
//
// Told through the environment (the suite sets these in an override file
// that both docker compose and kubectl stack merge):
//
//	PROBE_SERVICE  the compose service it stands in for
//	PROBE_LISTEN   ports to listen on: 80/tcp,53/udp
//	PROBE_NAMES    names to resolve: db,cache,shop_db
//	PROBE_DIAL     host:port/proto to connect to: db:5432/tcp
//	PROBE_PATHS    paths to describe: /run/secrets/token,/data
//	PROBE_ENV      variables to report: GREETING,DB_URL
//	PROBE_HEALTHY_AFTER  how long after its start it answers its
//	               healthcheck (default at once), as a slow database does
//	PROBE_SYSCTLS  kernel parameters to report: net.ipv4.ip_local_port_range
//	PROBE_EXIT_AFTER     how long after its start it exits (default never),
//	               as a one-shot service (a migration) does, with
//	               PROBE_EXIT_CODE (default 0)
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kubectl-stack/kubectl-stack/test/conformance/report"
)

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "health" {
		os.Exit(health())
	}
	listen()
	exitAt := time.Time{}
	if d, err := time.ParseDuration(os.Getenv("PROBE_EXIT_AFTER")); err == nil {
		exitAt = started.Add(d)
	}
	last := ""
	// Observes every two seconds for two minutes, then every ten: names
	// and peers appear as the platform starts them (a dependent pod later
	// than the rest); a report is printed when it changes, and the suite
	// reads the last.
	for i := 0; ; i++ {
		if !exitAt.IsZero() && !time.Now().Before(exitAt) {
			r := observe()
			r.ExitingAt = time.Now()
			r.ExitCode, _ = strconv.Atoi(os.Getenv("PROBE_EXIT_CODE"))
			data, _ := json.Marshal(r)
			fmt.Println(report.Prefix + string(data))
			os.Exit(r.ExitCode)
		}
		data, _ := json.Marshal(observe())
		if s := string(data); s != last {
			fmt.Println(report.Prefix + s)
			last = s
		}
		if !exitAt.IsZero() && time.Until(exitAt) < 2*time.Second {
			time.Sleep(max(time.Until(exitAt), 0))
		} else if i < 60 {
			time.Sleep(2 * time.Second)
		} else {
			time.Sleep(10 * time.Second)
		}
	}
}

// health answers the probe's healthcheck: its control port answers.
func health() int {
	c, err := net.DialTimeout("tcp", "127.0.0.1:7777", time.Second)
	if err != nil {
		return 1
	}
	c.Close()
	return 0
}

// started is when the process started; healthyAt when its control port,
// which its healthcheck dials, began to answer.
var started, healthyAt = time.Now(), time.Time{}

func listen() {
	go func() {
		if d, err := time.ParseDuration(os.Getenv("PROBE_HEALTHY_AFTER")); err == nil {
			time.Sleep(d)
		}
		l, err := net.Listen("tcp", ":7777")
		if err != nil {
			return
		}
		healthyAt = time.Now()
		_ = http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "probe\n") }))
	}()
	for _, p := range list("PROBE_LISTEN") {
		port, proto, _ := strings.Cut(p, "/")
		if proto == "udp" {
			if c, err := net.ListenPacket("udp", ":"+port); err == nil {
				go func() {
					buf := make([]byte, 512)
					for {
						n, addr, err := c.ReadFrom(buf)
						if err != nil {
							return
						}
						_, _ = c.WriteTo(buf[:n], addr)
					}
				}()
			}
			continue
		}
		if l, err := net.Listen("tcp", ":"+port); err == nil {
			go func() {
				for {
					c, err := l.Accept()
					if err != nil {
						return
					}
					c.Close()
				}
			}()
		}
	}
}

func observe() report.Report {
	r := report.Report{Service: os.Getenv("PROBE_SERVICE"), Argv: os.Args, Env: map[string]string{}, Names: map[string]int{}, Dial: map[string]string{}, Paths: map[string]report.Path{}}
	r.Cwd, _ = os.Getwd()
	r.Started, r.HealthyAt = started, healthyAt
	r.UID, r.GID = os.Getuid(), os.Getgid()
	r.Hostname, _ = os.Hostname()
	for _, k := range list("PROBE_ENV") {
		if v, ok := os.LookupEnv(k); ok {
			r.Env[k] = v
		} else {
			r.Env[k] = "<unset>"
		}
	}
	if f, err := os.Create("/.probe-root-writable"); err == nil {
		f.Close()
		os.Remove(f.Name())
		r.RootWritable = true
	}
	for _, n := range list("PROBE_NAMES") {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		addrs, _ := net.DefaultResolver.LookupHost(ctx, n)
		cancel()
		r.Names[n] = len(addrs)
	}
	for _, d := range list("PROBE_DIAL") {
		r.Dial[d] = dial(d)
	}
	for _, p := range list("PROBE_PATHS") {
		r.Paths[p] = describe(p)
	}
	r.Kernel = kernel()
	return r
}

func dial(target string) string {
	addr, proto, _ := strings.Cut(target, "/")
	if proto == "udp" {
		c, err := net.DialTimeout("udp", addr, time.Second)
		if err != nil {
			return "error"
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(time.Second))
		if _, err := c.Write([]byte("probe")); err != nil {
			return "error"
		}
		buf := make([]byte, 16)
		if _, err := c.Read(buf); err != nil {
			return "no answer"
		}
		return "ok"
	}
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		if strings.Contains(err.Error(), "no such host") {
			return "no such host"
		}
		if strings.Contains(err.Error(), "refused") {
			return "refused"
		}
		return "unreachable"
	}
	c.Close()
	return "ok"
}

// tmpfsMagic is Linux's TMPFS_MAGIC.
const tmpfsMagic = 0x01021994

func describe(p string) report.Path {
	info, err := os.Stat(p)
	if err != nil {
		return report.Path{Kind: "missing"}
	}
	out := report.Path{Mode: info.Mode().Perm().String()}
	var st syscall.Statfs_t
	if syscall.Statfs(p, &st) == nil && st.Type == tmpfsMagic {
		out.Tmpfs = true
	}
	switch {
	case info.Mode().IsRegular():
		out.Kind, out.Digest = "file", fileDigest(p)
		if f, err := os.OpenFile(p, os.O_WRONLY, 0); err == nil {
			f.Close()
			out.Writable = true
		}
	case info.IsDir():
		out.Kind, out.Digest = "dir", dirDigest(p)
		if f, err := os.CreateTemp(p, ".probe-"); err == nil {
			f.Close()
			os.Remove(f.Name())
			out.Writable = true
		}
	default:
		out.Kind = info.Mode().Type().String()
	}
	return out
}

func fileDigest(p string) string {
	data, err := os.ReadFile(p)
	if err != nil {
		return "unreadable"
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}

// dirDigest digests a directory's regular files by relative name and
// content (links followed, as a reader of the directory sees them).
func dirDigest(dir string) string {
	var names []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if strings.HasPrefix(d.Name(), "..") {
			// Kubernetes' ConfigMap plumbing (..data, ..<timestamp>/):
			// the files are reached through the links beside it.
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(d.Name(), ".probe-") {
			return nil // the probe's own writability test
		}
		if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() {
			names = append(names, rel+"="+fileDigest(p))
		}
		return nil
	})
	if len(names) == 0 {
		return "empty"
	}
	sort.Strings(names)
	sum := sha256.Sum256([]byte(strings.Join(names, "\n")))
	return hex.EncodeToString(sum[:8])
}

func list(key string) []string {
	var out []string
	for _, v := range strings.Split(os.Getenv(key), ",") {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
