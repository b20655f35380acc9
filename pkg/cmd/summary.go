package cmd

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/podio"
)

// useColour: only on a terminal, and never with NO_COLOR set
// (https://no-color.org).
func useColour(w io.Writer) bool {
	_, noColour := os.LookupEnv("NO_COLOR")
	return !noColour && podio.IsTerminal(w)
}

// applyColumns are the tally of a deploy (and of restart's deploy).
var applyColumns = []string{"CREATED", "CONFIGURED", "REPLACED", "PRUNED", "UNCHANGED", "PODS ROLLED"}

// printTally writes the short table that ends deploy and stop: how many
// objects each action touched. Non-zero changes are bold on a terminal.
func printTally(w io.Writer, t apply.Tally, columns ...string) error {
	values := map[string]int{
		"CREATED": t.Created, "CONFIGURED": t.Configured, "REPLACED": t.Replaced, "PRUNED": t.Pruned,
		"UNCHANGED": t.Unchanged, "DELETED": t.Deleted, "PODS ROLLED": t.Rolled,
	}
	colour := useColour(w)
	var cells []string
	for _, c := range columns {
		v := strconv.Itoa(values[c])
		if colour && values[c] > 0 && c != "UNCHANGED" {
			v = "\x1b[1m" + v + "\x1b[0m"
		}
		cells = append(cells, v)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(columns, "\t"))
	fmt.Fprintln(tw, strings.Join(cells, "\t"))
	return tw.Flush()
}
