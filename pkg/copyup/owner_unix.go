//go:build unix

package copyup

import (
	"io/fs"
	"syscall"
)

// ownerOf is the file's owner and group.
func ownerOf(info fs.FileInfo) (uid, gid int, ok bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int(st.Uid), int(st.Gid), true
}
