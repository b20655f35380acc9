package kindcluster

import _ "embed"

// memlockSpec is kind's containerd base runtime spec (the node image's
// /etc/containerd/cri-base.json: containerd's default spec plus kind's
// product-files hook) with RLIMIT_MEMLOCK raised to unlimited, which is
// what the high-memlock runtime exists for.
//
//go:embed memlock-spec.json
var memlockSpec []byte

// MemlockSpec returns the base runtime spec of the high-memlock runtime.
func MemlockSpec() []byte { return append([]byte(nil), memlockSpec...) }
