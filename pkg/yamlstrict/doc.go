// Package yamlstrict decodes YAML files into typed structs and rejects
// unknown keys with the file, the line and the nearest valid key, so a typo
// in a spec is reported instead of silently ignored.
package yamlstrict
