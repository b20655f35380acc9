package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io/fs"
	"os"
	"sort"
	"time"
)

// entry is one file of an archive.
type entry struct {
	Name string
	Data []byte
	Exec bool
}

func (e entry) mode() fs.FileMode {
	if e.Exec {
		return 0o755
	}
	return 0o644
}

// writeTarGz writes a reproducible tar.gz: entries sorted by name, owned by
// root, dated when, and a gzip header without name or time.
func writeTarGz(path string, entries []entry, when time.Time) error {
	sortEntries(entries)
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.Name, Mode: int64(e.mode()), Size: int64(len(e.Data)), ModTime: when.UTC(), Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(e.Data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// writeZip writes a reproducible zip: entries sorted by name and dated when.
func writeZip(path string, entries []entry, when time.Time) error {
	sortEntries(entries)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		hdr := &zip.FileHeader{Name: e.Name, Method: zip.Deflate, Modified: when.UTC()}
		hdr.SetMode(e.mode())
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if _, err := w.Write(e.Data); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func sortEntries(entries []entry) {
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
}
