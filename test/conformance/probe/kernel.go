package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// kernel is what the kernel says of the process: the platform's security
// settings (capabilities, no_new_privs, seccomp), limits (open files,
// /dev/shm), its first process and the sysctls it is told to read.
func kernel() map[string]string {
	out := map[string]string{}
	status := procStatus()
	if eff, err := strconv.ParseUint(status["CapEff"], 16, 64); err == nil {
		out["capabilities"] = capNames(eff)
	}
	out["no new privileges"] = status["NoNewPrivs"]
	out["seccomp"] = map[string]string{"0": "unconfined", "1": "strict", "2": "filtered"}[status["Seccomp"]]
	out["ulimit nofile"] = openFilesLimit()
	var st syscall.Statfs_t
	if syscall.Statfs("/dev/shm", &st) == nil {
		out["shm size"] = fmt.Sprintf("%d MiB", uint64(st.Blocks)*uint64(st.Bsize)>>20)
	} else {
		out["shm size"] = "none"
	}
	if cmdline, err := os.ReadFile("/proc/1/cmdline"); err == nil {
		first, _, _ := strings.Cut(string(cmdline), "\x00")
		out["pid 1"] = filepath.Base(first)
	}
	for _, s := range list("PROBE_SYSCTLS") {
		data, err := os.ReadFile(filepath.Join("/proc/sys", strings.ReplaceAll(s, ".", "/")))
		if err != nil {
			out["sysctl "+s] = "unreadable"
			continue
		}
		out["sysctl "+s] = strings.Join(strings.Fields(string(data)), " ")
	}
	return out
}

// procStatus is /proc/self/status, field by field.
func procStatus() map[string]string {
	out := map[string]string{}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}

// openFilesLimit is "soft/hard" of RLIMIT_NOFILE.
func openFilesLimit() string {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return "unknown"
	}
	return fmt.Sprintf("%d/%d", l.Cur, l.Max)
}

// capabilities are Linux's, by bit.
var capabilities = []string{"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
	"LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO",
	"SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
	"LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ",
	"PERFMON", "BPF", "CHECKPOINT_RESTORE"}

// capNames names the set bits; a set with every capability is "all".
func capNames(set uint64) string {
	var names []string
	all := true
	for bit, name := range capabilities {
		if set&(1<<bit) != 0 {
			names = append(names, name)
		} else {
			all = false
		}
	}
	switch {
	case all:
		return "all"
	case len(names) == 0:
		return "none"
	}
	return strings.Join(names, " ")
}
