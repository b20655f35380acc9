// Package report is what the conformance probe reports and the suite
// reads: one JSON line per observation, after Prefix, in the container's
// log. Standard library only: the probe image holds nothing else.
package report

import (
	"bufio"
	"encoding/json"
	"strings"
	"time"
)

// Prefix starts each report line in a container's log.
const Prefix = "PROBE-REPORT "

// Report is what a container observes; every field is a behaviour the
// suite compares.
type Report struct {
	Service  string            `json:"service"`
	Argv     []string          `json:"argv"`
	Env      map[string]string `json:"env"`
	Cwd      string            `json:"cwd"`
	UID      int               `json:"uid"`
	GID      int               `json:"gid"`
	Hostname string            `json:"hostname"`
	// RootWritable: a file can be created at the filesystem's root.
	RootWritable bool `json:"rootWritable"`
	// Names maps a name to how many addresses it resolves to (0: none).
	Names map[string]int `json:"names"`
	// Dial maps host:port/proto to "ok" or why not.
	Dial map[string]string `json:"dial"`
	// Paths maps a path to what is there.
	Paths map[string]Path `json:"paths"`
	// Kernel maps what the kernel says of the process to its value:
	// "capabilities" (effective, by name), "no new privileges",
	// "seccomp", "ulimit nofile" (soft/hard), "shm size", "pid 1" (the
	// first process's name: the probe, or an init), "sysctl <name>".
	Kernel map[string]string `json:"kernel"`
	// Started is when the container's process started; HealthyAt when it
	// began to answer its healthcheck (PROBE_HEALTHY_AFTER after Started).
	Started   time.Time `json:"started"`
	HealthyAt time.Time `json:"healthyAt"`
	// ExitingAt is when it exited with ExitCode, as it was told to
	// (PROBE_EXIT_AFTER): a service that runs once; zero for the others.
	ExitingAt time.Time `json:"exitingAt,omitzero"`
	ExitCode  int       `json:"exitCode,omitempty"`
}

// Path is what is found at a path.
type Path struct {
	// Kind is "file", "dir", "missing" or another file type.
	Kind string `json:"kind"`
	Mode string `json:"mode,omitempty"`
	// Digest is a file's sha256 (its first 8 bytes), or for a directory
	// the digest of its files' names and contents ("empty" when none).
	Digest   string `json:"digest,omitempty"`
	Writable bool   `json:"writable"`
	// Tmpfs: the path is on a memory filesystem.
	Tmpfs bool `json:"tmpfs,omitempty"`
}

// Parse reads the last report of each service from log text (any prefix
// before Prefix on a line, such as docker compose's or kubectl stack
// logs', is skipped).
func Parse(logs string) map[string]Report {
	out := map[string]Report{}
	sc := bufio.NewScanner(strings.NewReader(logs))
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		_, js, ok := strings.Cut(sc.Text(), Prefix)
		if !ok {
			continue
		}
		var r Report
		if json.Unmarshal([]byte(js), &r) == nil && r.Service != "" {
			out[r.Service] = r
		}
	}
	return out
}
