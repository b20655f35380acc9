package dockerfile

import (
	"fmt"
	"testing"
)

func TestContextDestinations(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, dockerfile, target string
		want                     string
	}{
		{"COPY . to an absolute path", "FROM node:20\nCOPY . /usr/src/app\n", "", "[/usr/src/app]"},
		{"WORKDIR then COPY . .", "FROM node:20\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci\nCOPY . .\n", "", "[/app]"},
		{"relative WORKDIR, ADD, JSON form, trailing slash", "FROM python:3\nWORKDIR /srv\nWORKDIR code\nADD [\".\", \"./\"]\nCOPY ./ /opt/app/\n", "", "[/opt/app /srv/code]"},
		{"only files", "FROM scratch\nCOPY hello /hello\n", "", "[]"},
		{"--from another stage", "FROM golang AS build\nCOPY . /src\nFROM scratch\nCOPY --from=build /src/bin /bin\n", "", "[]"},
		{"FROM an earlier stage inherits it", "FROM node AS base\nWORKDIR /app\nCOPY . .\nFROM base AS prod\nRUN npm prune\n", "", "[/app]"},
		{"target stage", "FROM node AS dev\nCOPY . /dev-src\nFROM node AS prod\nCOPY dist /app\n", "dev", "[/dev-src]"},
		{"a variable destination is not known", "FROM node\nARG APP=/app\nCOPY . $APP\n", "", "[]"},
		{"--chown keeps it", "FROM node\nCOPY --chown=node:node . /home/node/app\n", "", "[/home/node/app]"},
	}
	for _, tc := range cases {
		got, err := ContextDestinations([]byte(tc.dockerfile), tc.target)
		if err != nil || fmt.Sprint(got) != tc.want {
			t.Errorf("%s: ContextDestinations() = %v, %v; want %s", tc.name, got, err, tc.want)
		}
	}
	if _, err := ContextDestinations([]byte("FROM a AS one\n"), "two"); err == nil {
		t.Error("a missing target stage was not an error")
	}
}
