package deploy

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// TestDataDirectoriesDeploy: a compose project as upstream projects write
// it, whose database and uploads live in bind directories that docker
// compose creates (./volumes/db, ./data), is accepted by init and create
// without edits; each data directory is a claim on the cluster, kept by
// stop like every volume.
func TestDataDirectoriesDeploy(t *testing.T) {
	c := cluster.Shared(t).Client
	ctx := context.Background()
	root := t.TempDir()
	project := filepath.Join(root, "notes_app")
	testutil.WriteFile(t, project, "compose.yaml", `services:
  db:
    image: postgres:16
    volumes:
      - ./volumes/db:/var/lib/postgresql/data
  app:
    image: notes:1.0
    ports: ["3000"]
    volumes:
      - ./data:/app/data
      - ./config/app.yml:/app/config.yml:ro
`)
	testutil.WriteFile(t, project, "config/app.yml", "db: db:5432\n")
	ns := fmt.Sprintf("datadirs-%d", nameSeq.Add(1))
	dir, errOut, err := initAndCreate(t, project, ns)
	if err != nil {
		t.Fatalf("create: %v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "is the data volume volumes_db") || !strings.Contains(errOut, "is the data volume data,") {
		t.Errorf("create does not say what the data directories became:\n%s", errOut)
	}
	deploy(t, dir, "--wait=false")
	claims := func() []string {
		list, err := c.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, pvc := range list.Items {
			names = append(names, pvc.Name)
		}
		slices.Sort(names)
		return names
	}
	id := deploymentID(t, dir)
	want := []string{id + "-data", id + "-volumes-db"}
	if got := claims(); !slices.Equal(got, want) {
		t.Fatalf("claims after deploy = %v, want %v", got, want)
	}
	stop(t, dir)
	if got := claims(); !slices.Equal(got, want) {
		t.Errorf("claims after stop = %v, want them kept: %v", got, want)
	}
}
