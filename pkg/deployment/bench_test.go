package deployment

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkCreate measures a whole create of the demo stack: load and
// validate the spec, the stack and its compose files, plan and write.
// Run: go test -run '^$' -bench Create -benchmem ./pkg/deployment/
func BenchmarkCreate(b *testing.B) {
	root := b.TempDir()
	_, specPath := fixtureB(b, root)
	i := 0
	for b.Loop() {
		i++
		_, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: filepath.Join(root, "d", strconv.Itoa(i))})
		if err != nil {
			b.Fatal(err)
		}
	}
}
