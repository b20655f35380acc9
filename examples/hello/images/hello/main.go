// Command hello is the example stack's one program, built FROM scratch into
// the hello-web and hello-counter images (hack/example-images.sh), so that
// nothing is pulled. Its subcommands are the services and a few tools that
// tests and users run with kubectl stack exec, since the images have no
// shell.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: hello web|counter|seed|cat FILE|-...|get URL|env|exit N|write FILE TEXT|serve-tls ADDR CERT KEY")
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "web":
		web()
	case "counter":
		counter()
	case "seed":
		seed(args)
	case "cat":
		for _, f := range args {
			if f == "-" {
				_, _ = io.Copy(os.Stdout, os.Stdin)
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				fail(err.Error())
			}
			os.Stdout.Write(data)
		}
	case "get":
		if len(args) != 1 {
			fail("usage: hello get URL")
		}
		get(args[0])
	case "env":
		for _, kv := range os.Environ() {
			fmt.Println(kv)
		}
	case "write":
		if len(args) != 2 {
			fail("usage: hello write FILE TEXT")
		}
		if err := os.WriteFile(args[0], []byte(args[1]), 0o644); err != nil {
			fail(err.Error())
		}
	case "serve-tls":
		if len(args) != 3 {
			fail("usage: hello serve-tls ADDR CERT KEY")
		}
		serveTLS(args[0], args[1], args[2])
	case "exit":
		code, _ := strconv.Atoi(strings.Join(args, ""))
		os.Exit(code)
	default:
		fail("unknown subcommand " + os.Args[1])
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "hello:", msg)
	os.Exit(2)
}

// web serves the static page (a ConfigMap in Kubernetes) and the greeting
// from the environment.
func web() {
	fmt.Printf("web: GREETING=%q COUNTER_URL=%q\n", os.Getenv("GREETING"), os.Getenv("COUNTER_URL"))
	if data, err := os.ReadFile("/etc/hello/motd.txt"); err == nil {
		fmt.Printf("web: motd %q\n", strings.TrimSpace(string(data)))
	}
	http.Handle("/", http.FileServer(http.Dir("/srv/www")))
	http.HandleFunc("/greeting", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, os.Getenv("GREETING")) })
	// STARTUP_DELAY (e.g. 4s) holds the listener back, as a slow starting
	// application does: its readiness, and so a rollout, waits for it.
	if d, err := time.ParseDuration(os.Getenv("STARTUP_DELAY")); err == nil {
		fmt.Printf("web: starting in %s\n", d)
		time.Sleep(d)
	}
	// CRASH_AFTER (e.g. 2s) makes it exit with code 1 that long after it
	// started, as a crashing application does (tests of deploy's wait).
	if d, err := time.ParseDuration(os.Getenv("CRASH_AFTER")); err == nil {
		go func() {
			time.Sleep(d)
			fmt.Printf("web: crashing after %s\n", d)
			os.Exit(1)
		}()
	}
	fmt.Println("web: listening on :80")
	serve(":80")
}

// counter keeps a marker and a visit count under /data, so that data
// surviving a restart or a cluster recreation can be seen, and a marker in
// /cache (a node-local volume) that is fresh after its volume is deleted.
func counter() {
	for _, dir := range []string{"/data", "/cache"} {
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		state, content := marker(filepath.Join(dir, "marker"))
		fmt.Printf("counter: %s/marker %s %s\n", dir, state, content)
	}
	if data, err := os.ReadFile("/data/seed"); err == nil {
		fmt.Printf("counter: seeded with %s\n", strings.TrimSpace(string(data)))
	}
	var mu sync.Mutex
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		if data, err := os.ReadFile("/data/count"); err == nil {
			n, _ = strconv.Atoi(strings.TrimSpace(string(data)))
		}
		n++
		_ = os.WriteFile("/data/count", []byte(strconv.Itoa(n)), 0o644)
		fmt.Printf("counter: visit %d\n", n)
		fmt.Fprintln(w, n)
	})
	fmt.Println("counter: listening on :8080")
	serve(":8080")
}

// marker reads a marker file, or writes a new one.
func marker(path string) (string, string) {
	if data, err := os.ReadFile(path); err == nil {
		return "found", strings.TrimSpace(string(data))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "unreadable", err.Error()
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	content := hex.EncodeToString(b) + " " + time.Now().UTC().Format(time.RFC3339)
	if err := os.WriteFile(path, []byte(content+"\n"), 0o644); err != nil {
		return "unwritable", err.Error()
	}
	return "created", content
}

// seed is the job: it records its start value next to the counter's data.
func seed(args []string) {
	fs := flag.NewFlagSet("seed", flag.ExitOnError)
	start := fs.Int("start", 0, "first count")
	_ = fs.Parse(args)
	if err := os.WriteFile("/data/seed", []byte(strconv.Itoa(*start)+"\n"), 0o644); err != nil {
		fail(err.Error())
	}
	fmt.Printf("seed: start=%d written to /data/seed\n", *start)
}

// get prints the body of a GET, so that services can be tried from inside
// the images, which have no shell or curl.
func get(url string) {
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		fail(err.Error())
	}
	defer resp.Body.Close()
	_, _ = io.Copy(os.Stdout, resp.Body)
	if resp.StatusCode >= 400 {
		fail(resp.Status)
	}
}

func serve(addr string) {
	srv := &http.Server{Addr: addr, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		fail(err.Error())
	}
}

// serveTLS answers "tls ok" over HTTPS with the given certificate, for
// tests of the certificates containers trust.
func serveTLS(addr, cert, key string) {
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "tls ok") })
	fmt.Printf("serve-tls: listening on %s\n", addr)
	srv := &http.Server{Addr: addr, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServeTLS(cert, key); err != nil {
		fail(err.Error())
	}
}
