package deployment

import (
	"crypto/rand"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// idEpoch is laconic-so's ID epoch (2024-01-01T00:00:00Z).
var idEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// NewID returns "laconic-" + the time since 2024 in tenths of a second in
// base36, zero-padded to 7 characters so IDs sort by time as strings, + 2
// random base36 characters. The result is a valid kind cluster name and
// object-name prefix, in laconic-so's format.
func NewID(now time.Time) string {
	ticks := now.Sub(idEpoch).Milliseconds() / 100
	ts := strconv.FormatInt(max(ticks, 0), 36)
	if len(ts) < 7 {
		ts = strings.Repeat("0", 7-len(ts)) + ts
	}
	n, err := rand.Int(rand.Reader, big.NewInt(36*36))
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	suffix := strconv.FormatInt(n.Int64(), 36)
	if len(suffix) < 2 {
		suffix = "0" + suffix
	}
	return "laconic-" + ts + suffix
}
