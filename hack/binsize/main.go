// Command binsize reports what makes a Go binary large: the bytes of code
// and data each module contributes, from `go tool nm -size` (symbols) and
// `go version -m` (modules). Used to keep the plugin small (docs/benchmarks.md):
//
//	go build -o /tmp/kubectl-stack ./cmd/kubectl-stack   # unstripped: nm needs the symbols
//	go run ./hack/binsize [-top 25] /tmp/kubectl-stack
package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
)

func main() {
	top := flag.Int("top", 25, "How many modules to list.")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: binsize [-top N] BINARY")
		os.Exit(2)
	}
	if err := report(flag.Arg(0), *top); err != nil {
		fmt.Fprintf(os.Stderr, "binsize: %v\n", err)
		os.Exit(1)
	}
}

func report(binary string, top int) error {
	mods, err := modules(binary)
	if err != nil {
		return err
	}
	nm, err := exec.Command("go", "tool", "nm", "-size", binary).Output()
	if err != nil {
		return fmt.Errorf("go tool nm (an unstripped binary is needed): %w", err)
	}
	inBSS, err := bssRanges(binary)
	if err != nil {
		return err
	}
	sizes := map[string]int64{}
	seen := map[string]bool{}
	var total int64
	sc := bufio.NewScanner(bytes.NewReader(nm))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// address size type name; BSS takes no room in the file (nm types
		// some of it D), and local./global aliases share an address.
		addr, _ := strconv.ParseUint(f[0], 16, 64)
		if len(f) < 4 || strings.ContainsAny(f[2], "Bb") || inBSS(addr) || seen[f[0]] {
			continue
		}
		seen[f[0]] = true
		size, _ := strconv.ParseInt(f[1], 10, 64)
		name := strings.TrimPrefix(strings.Join(f[3:], " "), "local.")
		sizes[owner(name, mods)] += size
		total += size
	}
	type row struct {
		name string
		size int64
	}
	var rows []row
	for n, s := range sizes {
		rows = append(rows, row{n, s})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].size > rows[j].size })
	fmt.Printf("%8.2f MB  symbols in total\n", float64(total)/1e6)
	for i, r := range rows {
		if i == top {
			break
		}
		fmt.Printf("%8.2f MB  %s\n", float64(r.size)/1e6, r.name)
	}
	return nil
}

// bssRanges reports whether an address lies in a section that takes no
// room in the ELF file.
func bssRanges(binary string) (func(uint64) bool, error) {
	f, err := elf.Open(binary)
	if err != nil {
		return nil, fmt.Errorf("reading the ELF sections of %s (binsize reads Linux binaries): %w", binary, err)
	}
	defer f.Close()
	var ranges [][2]uint64
	for _, s := range f.Sections {
		if s.Type == elf.SHT_NOBITS {
			ranges = append(ranges, [2]uint64{s.Addr, s.Addr + s.Size})
		}
	}
	return func(a uint64) bool {
		for _, r := range ranges {
			if a >= r[0] && a < r[1] {
				return true
			}
		}
		return false
	}, nil
}

// modules are the binary's module paths, longest first.
func modules(binary string) ([]string, error) {
	out, err := exec.Command("go", "version", "-m", binary).Output()
	if err != nil {
		return nil, fmt.Errorf("go version -m: %w", err)
	}
	var mods []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && (f[0] == "dep" || f[0] == "mod") {
			mods = append(mods, f[1])
		}
	}
	sort.Slice(mods, func(i, j int) bool { return len(mods[i]) > len(mods[j]) })
	return mods, nil
}

// owner is the module a symbol belongs to, "std" for the standard
// library and "(types)"/"(go)" for the linker's type and function data.
func owner(symbol string, mods []string) string {
	for _, m := range mods {
		if strings.HasPrefix(symbol, m+".") || strings.HasPrefix(symbol, m+"/") {
			return m
		}
	}
	switch {
	case strings.HasPrefix(symbol, "type:"):
		return "(type descriptors)"
	case strings.HasPrefix(symbol, "go:"):
		return "(go: function data)"
	}
	return "std"
}
