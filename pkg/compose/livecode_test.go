package compose

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

// TestLiveCodeMountsAreLeftOut: a service that builds its image loses the
// bind of its build context and the anonymous volumes under it, with a
// note each; its other mounts stay, and so does the same bind on a service
// that does not build.
func TestLiveCodeMountsAreLeftOut(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testutil.WriteFile(t, dir, "frontend/Dockerfile", "FROM node:20\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci\nCOPY . .\n")
	f := loadCompose(t, dir, `services:
  front_end:
    build: ./frontend
    volumes:
      - ./frontend:/app
      - /app/node_modules
      - /cache
      - ./frontend/nginx.conf:/etc/nginx/nginx.conf:ro
  tools:
    image: node
    volumes:
      - ./frontend:/app
      - /app/node_modules
`)
	mounts := func(svc string) string {
		var out []string
		for _, v := range f.Project.Services[svc].Volumes {
			out = append(out, v.Type+":"+v.Target)
		}
		return fmt.Sprint(out)
	}
	if got := mounts("front-end"); got != "[volume:/cache bind:/etc/nginx/nginx.conf]" {
		t.Errorf("front_end mounts %s, want only /cache and nginx.conf", got)
	}
	if got := mounts("tools"); got != "[bind:/app volume:/app/node_modules]" {
		t.Errorf("tools (no build) mounts %s, want both kept", got)
	}
	notes := strings.Join(f.Notes("web"), "\n")
	for _, want := range []string{
		"pod web (compose.yaml): service front_end: the bind of its build context ./frontend onto /app is left out",
		"service front_end: the anonymous volume /app/node_modules is left out",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes:\n%s\nwant %q", notes, want)
		}
	}
	for _, line := range strings.Split(notes, "\n") {
		if strings.Contains(line, "left out") && (strings.Contains(line, "tools") || strings.Contains(line, "/cache")) {
			t.Errorf("notes say a mount that stays is left out:\n%s", line)
		}
	}
}

// TestLiveCodeBindElsewhereIsKept: a bind of the build context onto a
// directory the Dockerfile does not copy the context to (./app:/etc/app
// with COPY . /usr/src/app: the entrypoint reads its configuration there)
// puts files where the image has none, so it stays, with a note saying
// why; so does one whose Dockerfile copies single files only.
func TestLiveCodeBindElsewhereIsKept(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testutil.WriteFile(t, dir, "app/Dockerfile", "FROM node:20\nCOPY . /usr/src/app\nENTRYPOINT [\"/etc/app/entrypoint.sh\"]\n")
	testutil.WriteFile(t, dir, "tool/Dockerfile", "FROM scratch\nCOPY tool /tool\n")
	f := loadCompose(t, dir, `services:
  app:
    build: ./app
    volumes:
      - ./app:/etc/app
      - /etc/app/cache
  tool:
    build: ./tool
    volumes:
      - ./tool:/code
`)
	for svc, want := range map[string]string{"app": "[bind:/etc/app volume:/etc/app/cache]", "tool": "[bind:/code]"} {
		var got []string
		for _, v := range f.Project.Services[svc].Volumes {
			got = append(got, v.Type+":"+v.Target)
		}
		if fmt.Sprint(got) != want {
			t.Errorf("%s mounts %v, want %s", svc, got, want)
		}
	}
	notes := strings.Join(f.Notes("web"), "\n")
	for _, want := range []string{
		"service app: the bind of its build context ./app onto /etc/app is kept (as a ConfigMap): its Dockerfile copies the context to /usr/src/app, not there",
		"service tool: the bind of its build context ./tool onto /code is kept (as a ConfigMap): its Dockerfile does not copy the whole context into the image",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes:\n%s\nwant %q", notes, want)
		}
	}
}

// TestSharedDefaultsKeepTheirConfigurationBind: the layout of a widely
// self-hosted error tracker (Sentry's self-hosted repository): an
// x-defaults anchor that a dozen services merge builds ./sentry (whose
// Dockerfile copies the context to /usr/src/sentry), runs
// /etc/sentry/entrypoint.sh and binds ./sentry onto /etc/sentry. The bind
// is the services' configuration and entrypoint, not live code: every
// service keeps it (it was removed from all of them).
func TestSharedDefaultsKeepTheirConfigurationBind(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testutil.WriteFile(t, dir, "sentry/Dockerfile", "ARG SENTRY_IMAGE\nFROM ${SENTRY_IMAGE}\nRUN pip install an-extension\nCOPY . /usr/src/sentry\nRUN if [ -s /usr/src/sentry/enhance-image.sh ]; then /usr/src/sentry/enhance-image.sh; fi\n")
	testutil.WriteFile(t, dir, "sentry/entrypoint.sh", "#!/bin/bash\nexec sentry \"$@\"\n")
	testutil.WriteFile(t, dir, "sentry/config.yml", "system.internal-url-prefix: http://web:9000\n")
	f := loadCompose(t, dir, `x-restart-policy: &restart_policy
  restart: unless-stopped
x-sentry-defaults: &sentry_defaults
  <<: *restart_policy
  image: sentry-self-hosted-local
  build:
    context: ./sentry
    args:
      - SENTRY_IMAGE
  entrypoint: "/etc/sentry/entrypoint.sh"
  command: ["run", "web"]
  volumes:
    - "sentry-data:/data"
    - "./sentry:/etc/sentry"
services:
  web:
    <<: *sentry_defaults
  cron:
    <<: *sentry_defaults
    command: run cron
  worker:
    <<: *sentry_defaults
    command: run worker
volumes:
  sentry-data:
`)
	for _, svc := range []string{"cron", "web", "worker"} {
		var targets []string
		for _, v := range f.Project.Services[svc].Volumes {
			targets = append(targets, v.Target)
		}
		if fmt.Sprint(targets) != "[/data /etc/sentry]" {
			t.Errorf("%s mounts %v, want /data and its configuration at /etc/sentry", svc, targets)
		}
	}
	if notes := strings.Join(f.Notes("sentry"), "\n"); strings.Count(notes, "onto /etc/sentry is kept (as a ConfigMap): its Dockerfile copies the context to /usr/src/sentry, not there") != 3 {
		t.Errorf("notes:\n%s\nwant one per service saying why the bind stays", notes)
	}
}
